package ai.dstack.engine;

import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.host.HostJobState;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.JobShells;
import ai.dstack.spi.host.JobUsage;
import ai.dstack.spi.host.LogChunk;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host whose job starts take {@code delay} longer than its delegate's, as on a machine too busy to keep up; it
 * counts the starts asked of it per job id in {@code starts} (which several hosts may share).
 */
final class SlowStartHost implements HostExecutor {
    private final HostExecutor delegate;
    private final Duration delay;
    private final Map<String, AtomicInteger> starts;

    SlowStartHost(HostExecutor delegate, Duration delay, Map<String, AtomicInteger> starts) {
        this.delegate = delegate;
        this.delay = delay;
        this.starts = starts;
    }

    @Override
    public JobHandle start(JobLaunch launch) {
        starts.computeIfAbsent(launch.jobId(), id -> new AtomicInteger()).incrementAndGet();
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted before starting " + launch.jobId(), e);
        }
        return delegate.start(launch);
    }

    @Override
    public HostJobState status(JobHandle job) {
        return delegate.status(job);
    }

    @Override
    public LogChunk readLogs(JobHandle job, long fromOffset, int maxLines) {
        return delegate.readLogs(job, fromOffset, maxLines);
    }

    @Override
    public void stop(JobHandle job, Duration gracePeriod) {
        delegate.stop(job, gracePeriod);
    }

    @Override
    public void kill(JobHandle job) {
        delegate.kill(job);
    }

    @Override
    public void cleanup(JobHandle job) {
        delegate.cleanup(job);
    }

    @Override
    public CompletionStage<HostJobState> onFinished(JobHandle job) {
        return delegate.onFinished(job);
    }

    @Override
    public Optional<AutoCloseable> claimLogReader(JobHandle job) {
        return delegate.claimLogReader(job);
    }

    @Override
    public Optional<JobUsage> usage(JobHandle job) {
        return delegate.usage(job);
    }

    @Override
    public Map<JobHandle, Optional<JobUsage>> usage(List<JobHandle> jobs) {
        return delegate.usage(jobs);
    }

    @Override
    public Optional<String> containerRuntime() {
        return delegate.containerRuntime();
    }

    @Override
    public boolean pulling(JobHandle job) {
        return delegate.pulling(job);
    }

    @Override
    public Optional<InetSocketAddress> forwardPort(JobHandle job, int port) {
        return delegate.forwardPort(job, port);
    }

    @Override
    public Optional<Boolean> listensOn(JobHandle job, int port) {
        return delegate.listensOn(job, port);
    }

    @Override
    public Optional<JobShells> shells() {
        return delegate.shells();
    }

    @Override
    public List<JobHandle> jobs() {
        return delegate.jobs();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
