package ai.dstack.storage.logs;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.spi.logs.LogStore;
import ai.dstack.spi.logs.LogStoreContext;
import ai.dstack.spi.logs.LogStoreProvider;
import ai.dstack.storage.logs.internal.CloudWatchClients;

/**
 * dstack's AWS CloudWatch Logs storage, which several server replicas can share: one stream per job submission and
 * producer, {@code <project>/<run_name>/<job_submission_id>/<job|runner>}, in a log group that must already exist.
 * Needs {@code logs:DescribeLogStreams}, {@code logs:CreateLogStream}, {@code logs:PutLogEvents} and
 * {@code logs:GetLogEvents} on the group, and AWS credentials from the usual places (environment, profile, role).
 *
 * <p>Settings: {@value #LOG_GROUP} (required), {@value #REGION} (default: AWS's default region) and {@value #ENDPOINT}
 * (default: AWS's; for a VPC endpoint). The AWS SDK ({@code software.amazon.awssdk:cloudwatchlogs} and
 * {@code url-connection-client}) is an optional dependency of this module: add it to use this storage.
 */
public final class CloudWatchLogStoreProvider implements LogStoreProvider {
    public static final String TYPE = "cloudwatch";
    public static final String LOG_GROUP = "log_group";
    public static final String REGION = "region";
    public static final String ENDPOINT = "endpoint";

    private static final String SDK_CLASS = "software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public LogStore create(LogStoreContext context) {
        String group = setting(context, LOG_GROUP);
        if (group == null) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "CloudWatch log storage needs the setting '" + LOG_GROUP
                    + "' (DSTACK_SERVER_CLOUDWATCH_LOG_GROUP): the name of an existing log group");
        }
        requireSdk();
        return CloudWatchClients.openStore(group, setting(context, REGION), setting(context, ENDPOINT), context.clock());
    }

    private static String setting(LogStoreContext context, String key) {
        String value = context.settings().get(key);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static void requireSdk() {
        try {
            Class.forName(SDK_CLASS, false, CloudWatchLogStoreProvider.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "CloudWatch log storage needs the AWS SDK on the class "
                    + "path: add software.amazon.awssdk:cloudwatchlogs and software.amazon.awssdk:url-connection-client");
        }
    }
}
