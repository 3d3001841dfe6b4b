package ai.dstack.api.run;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How far the pull of a job's image has got.
 *
 * @param totalBytes an estimate of the bytes to download and extract, without layers already cached
 * @param isTotalBytesFinal whether {@code totalBytes} is believed final; if not, it is a lower bound
 */
public record ImagePullProgress(
        long downloadedBytes,
        long extractedBytes,
        long totalBytes,
        @JsonProperty("is_total_bytes_final") boolean isTotalBytesFinal) {
}
