package ai.dstack.storage.logs.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.spi.logs.JobLogRef;
import ai.dstack.spi.logs.LogEvent;
import ai.dstack.spi.logs.LogFollow;
import ai.dstack.spi.logs.LogListener;
import ai.dstack.spi.logs.LogPage;
import ai.dstack.spi.logs.LogQuery;
import ai.dstack.spi.logs.LogStore;
import ai.dstack.spi.logs.LogSubscription;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.InvalidParameterException;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/**
 * dstack's {@code CloudWatchLogStorage}: one stream per job submission and producer in an existing log group,
 * named {@code <project>/<run_name>/<job_submission_id>/<job|runner>}, read back with {@code GetLogEvents} and its
 * tokens. Uses only the calls dstack's documented policy allows: {@code DescribeLogStreams}, {@code CreateLogStream},
 * {@code PutLogEvents} and {@code GetLogEvents}.
 *
 * <p>CloudWatch orders a stream by event time, so pages come in time order, not write order. Reading forwards, the
 * last page is followed by one empty page without a token, as in dstack. Followers see what this instance writes;
 * a replay of stored events reads CloudWatch while holding the stream's write lock, so nothing is missed or repeated.
 */
public final class CloudWatchLogStore implements LogStore {
    private static final Logger LOG = LoggerFactory.getLogger(CloudWatchLogStore.class);
    // dstack's number of tries to skip empty pages: CloudWatch may answer an empty page with a new token.
    private static final int EMPTY_PAGE_TRIES = 10;
    private static final int REPLAY_PAGE = 10_000; // GetLogEvents' largest page

    private final CloudWatchLogsClient client;
    private final String group;
    private final String region;
    private final Clock clock;
    private final Set<String> knownStreams = ConcurrentHashMap.newKeySet();
    private final ReentrantLock[] streamLocks = new ReentrantLock[64];
    private final Followers<String> followers = new Followers<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private CloudWatchLogStore(CloudWatchLogsClient client, String group, Clock clock) {
        this.client = client;
        this.group = group;
        this.region = client.serviceClientConfiguration().region().id();
        this.clock = clock;
        for (int i = 0; i < streamLocks.length; i++) {
            streamLocks[i] = new ReentrantLock();
        }
    }

    /**
     * Opens a store on {@code group}, which must exist. The store owns {@code client} and closes it.
     *
     * @throws DstackException naming the group and region if it does not exist or cannot be reached
     */
    public static CloudWatchLogStore open(CloudWatchLogsClient client, String group, Clock clock) {
        Objects.requireNonNull(client, "client is null");
        Objects.requireNonNull(group, "group is null");
        Objects.requireNonNull(clock, "clock is null");
        CloudWatchLogStore store = new CloudWatchLogStore(client, group, clock);
        try {
            store.checkGroupExists();
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return store;
    }

    @Override
    public void write(JobLogRef job, List<LogEvent> jobLines, List<LogEvent> runnerLines) {
        checkOpen();
        Objects.requireNonNull(jobLines, "jobLines is null");
        Objects.requireNonNull(runnerLines, "runnerLines is null");
        put(CloudWatchNames.stream(job, true), runnerLines);
        put(CloudWatchNames.stream(job, false), jobLines);
    }

    @Override
    public LogPage poll(JobLogRef job, LogQuery query) {
        checkOpen();
        String stream = CloudWatchNames.stream(job, query.diagnose());
        String externalUrl = CloudWatchNames.consoleUrl(region, group, stream);
        if (query.limit() == 0) {
            return new LogPage(List.of(), null, externalUrl); // GetLogEvents takes 1..10,000
        }
        try {
            Page page = readWithRetries(stream, query);
            return new LogPage(page.events(), page.nextToken(), externalUrl);
        } catch (ResourceNotFoundException e) {
            checkGroupExists(); // a missing group is an error; a missing stream is a job that has not logged yet
            return new LogPage(List.of(), null, externalUrl);
        } catch (InvalidParameterException e) {
            if (query.nextToken() != null) {
                throw new DstackException(ErrorCode.ERROR, "Invalid next_token: " + query.nextToken(), e);
            }
            throw pollFailed(stream, e);
        } catch (SdkException e) {
            throw pollFailed(stream, e);
        }
    }

    @Override
    public LogSubscription follow(JobLogRef job, LogFollow follow, LogListener listener) {
        checkOpen();
        Objects.requireNonNull(follow, "follow is null");
        Objects.requireNonNull(listener, "listener is null");
        String stream = CloudWatchNames.stream(job, follow.diagnose());
        FileLogSubscription subscription =
                new FileLogSubscription(follow, listener, closing -> followers.remove(stream, closing));
        List<LogEvent> stored = List.of();
        ReentrantLock lock = lockFor(stream);
        lock.lock();
        try {
            // Under the writers' lock: every later batch is queued, every earlier one is in what we read here.
            if (follow.replayStored()) {
                stored = storedAfter(stream, follow.startTime());
            }
            followers.add(stream, subscription);
        } catch (RuntimeException e) {
            subscription.close();
            subscription.endReplay();
            throw e;
        } finally {
            lock.unlock();
        }
        try {
            for (int from = 0; from < stored.size(); from += LogQuery.MAX_LIMIT) {
                subscription.replayed(stored.subList(from, Math.min(stored.size(), from + LogQuery.MAX_LIMIT)));
            }
        } finally {
            subscription.endReplay();
        }
        if (closed.get()) {
            subscription.close(); // the store closed while we registered
        }
        return subscription;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            followers.closeAll();
            client.close();
        }
    }

    private void put(String stream, List<LogEvent> events) {
        if (events.isEmpty()) {
            return; // like dstack, no stream for a producer that said nothing
        }
        CloudWatchBatches.Plan plan = CloudWatchBatches.plan(events, clock.millis());
        if (plan.tooOld() > 0 || plan.tooNew() > 0) {
            LOG.error("CloudWatch stream {}: skipped {} event(s) older than 14 days and {} more than 2 hours ahead",
                    stream, plan.tooOld(), plan.tooNew());
        }
        if (plan.batches().isEmpty()) {
            return;
        }
        ReentrantLock lock = lockFor(stream);
        lock.lock();
        try {
            try {
                ensureStream(stream, false);
                putBatches(stream, plan);
            } catch (ResourceNotFoundException e) {
                // Our cache is stale: the stream was deleted (e.g. by a retention policy). Recreate it once, as dstack.
                LOG.debug("CloudWatch stream {} not found, recreating", stream);
                ensureStream(stream, true);
                putBatches(stream, plan);
            }
            followers.publish(stream, plan.sent());
        } catch (SdkException e) {
            throw new DstackException(ErrorCode.INTERNAL, "Failed to write logs to CloudWatch log stream '" + stream
                    + "' in log group '" + group + "' (" + region + "): " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private void putBatches(String stream, CloudWatchBatches.Plan plan) {
        for (List<CloudWatchBatches.Event> batch : plan.batches()) {
            List<InputLogEvent> input = new ArrayList<>(batch.size());
            for (CloudWatchBatches.Event event : batch) {
                input.add(InputLogEvent.builder().timestamp(event.timestampMs()).message(event.message()).build());
            }
            PutLogEventsResponse response =
                    client.putLogEvents(b -> b.logGroupName(group).logStreamName(stream).logEvents(input));
            if (response.rejectedLogEventsInfo() != null) {
                LOG.error("CloudWatch stream {}: some events were rejected: {}", stream, response.rejectedLogEventsInfo());
            }
        }
    }

    private void ensureStream(String stream, boolean force) {
        if (!force && knownStreams.contains(stream)) {
            return;
        }
        boolean exists = client.describeLogStreams(b -> b.logGroupName(group).logStreamNamePrefix(stream))
                .logStreams().stream()
                .anyMatch(found -> stream.equals(found.logStreamName()));
        if (!exists) {
            try {
                client.createLogStream(b -> b.logGroupName(group).logStreamName(stream));
            } catch (ResourceAlreadyExistsException e) {
                // Another replica created it between our look and our create.
            }
        }
        knownStreams.add(stream);
    }

    private record Page(List<LogEvent> events, String nextToken) {}

    /** dstack's {@code _get_log_events_with_retry}: skips up to ten empty pages that still carry a new token. */
    private Page readWithRetries(String stream, LogQuery query) {
        String previousToken = query.nextToken();
        String token = query.nextToken();
        for (int i = 0; i < EMPTY_PAGE_TRIES; i++) {
            GetLogEventsResponse response = read(stream, query, token, query.limit());
            String next = query.descending() ? response.nextBackwardToken() : response.nextForwardToken();
            List<LogEvent> events = toLogEvents(response.events());
            if (!events.isEmpty()) {
                if (query.descending()) {
                    Collections.reverse(events);
                }
                return new Page(events, next);
            }
            if (next == null || next.equals(previousToken)) {
                return new Page(List.of(), null);
            }
            previousToken = next;
            token = next;
        }
        // Reading backwards, CloudWatch guarantees more events behind the token; forwards it always gives one.
        return new Page(List.of(), query.descending() ? token : null);
    }

    private GetLogEventsResponse read(String stream, LogQuery query, String token, int limit) {
        boolean fromHead = !query.descending();
        GetLogEventsRequest.Builder request = GetLogEventsRequest.builder()
                .logGroupName(group)
                .logStreamName(stream)
                .limit(limit)
                .startFromHead(fromHead)
                .nextToken(token);
        if (query.startTime() != null) {
            request.startTime(exclusiveStartMs(query.startTime())); // CloudWatch's startTime is inclusive
        }
        if (query.endTime() != null) {
            request.endTime(query.endTime().toEpochMilli());
        } else if (fromHead) {
            // dstack: bound a forward read by "now", or pages never end while the job keeps logging.
            request.endTime(clock.millis());
        }
        return client.getLogEvents(request.build());
    }

    /** Every stored event after {@code startTime} (all if {@code null}), oldest first. */
    private List<LogEvent> storedAfter(String stream, Instant startTime) {
        LogQuery query = LogQuery.defaults().withStartTime(startTime);
        List<LogEvent> stored = new ArrayList<>();
        String token = null;
        try {
            while (true) {
                GetLogEventsResponse response = read(stream, query, token, REPLAY_PAGE);
                stored.addAll(toLogEvents(response.events()));
                String next = response.nextForwardToken();
                if (next == null || next.equals(token)) {
                    return stored;
                }
                token = next;
            }
        } catch (ResourceNotFoundException e) {
            return stored; // no stream yet: nothing stored
        } catch (SdkException e) {
            throw pollFailed(stream, e);
        }
    }

    /** The first whole millisecond strictly after {@code instant}: events are stored with millisecond times. */
    private static long exclusiveStartMs(Instant instant) {
        return instant.toEpochMilli() + 1; // toEpochMilli rounds down
    }

    private static List<LogEvent> toLogEvents(List<OutputLogEvent> events) {
        List<LogEvent> converted = new ArrayList<>(events.size());
        for (OutputLogEvent event : events) {
            converted.add(LogEvent.stdout(Instant.ofEpochMilli(event.timestamp()), Objects.toString(event.message(), "")));
        }
        return converted;
    }

    private void checkGroupExists() {
        try {
            client.describeLogStreams(b -> b.logGroupName(group).limit(1));
        } catch (ResourceNotFoundException e) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "CloudWatch log group '" + group
                    + "' does not exist in region " + region + ": create it first (dstack never creates log groups)", e);
        } catch (SdkException e) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "Cannot use CloudWatch log group '" + group
                    + "' in region " + region + ": " + e.getMessage(), e);
        }
    }

    private DstackException pollFailed(String stream, SdkException e) {
        LOG.warn("Failed to read CloudWatch stream {} in log group {}: {}", stream, group, e.getMessage());
        return new DstackException(ErrorCode.ERROR, "Failed to poll logs from log storage", e);
    }

    private ReentrantLock lockFor(String stream) {
        return streamLocks[Math.floorMod(stream.hashCode(), streamLocks.length)];
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("The CloudWatch log store is closed");
        }
    }
}
