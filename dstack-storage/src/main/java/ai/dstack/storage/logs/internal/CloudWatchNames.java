package ai.dstack.storage.logs.internal;

import ai.dstack.spi.logs.JobLogRef;
import java.nio.charset.StandardCharsets;

/** dstack's names in CloudWatch: the stream of a job submission and the console link to it. */
final class CloudWatchNames {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private CloudWatchNames() {}

    /** {@code <project>/<run_name>/<job_submission_id>/<job|runner>}, as dstack names it. */
    static String stream(JobLogRef job, boolean diagnose) {
        return job.project() + "/" + job.runName() + "/" + job.jobSubmissionId() + "/" + (diagnose ? "runner" : "job");
    }

    /** The AWS console page of a stream, dstack's {@code external_url}. */
    static String consoleUrl(String region, String group, String stream) {
        return "https://console.aws.amazon.com/cloudwatch/home?region=" + region
                + "#logsV2:log-groups/log-group/" + quote(group) + "/log-events/" + quote(stream);
    }

    /** Python's {@code urllib.parse.quote(s, safe="")}: everything but letters, digits and {@code _.-~} escaped. */
    static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() * 3);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "_.-~".indexOf(c) >= 0) {
                quoted.append(c);
            } else {
                quoted.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
        }
        return quoted.toString();
    }
}
