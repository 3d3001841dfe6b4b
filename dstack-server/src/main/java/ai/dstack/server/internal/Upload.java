package ai.dstack.server.internal;

import java.util.Map;

/**
 * The {@code file} field of a multipart request, as dstack's upload routes take it.
 *
 * @param filename the file's name, which dstack's clients set to the content's sha256
 * @param requestSize the request's Content-Length (0 without one), which dstack compares with the upload limit
 * @param limit {@code DSTACK_SERVER_CODE_UPLOAD_LIMIT}; 0 or less for none
 * @param query the query parameters
 */
record Upload(String filename, byte[] content, long requestSize, long limit, Map<String, String> query) {
    /**
     * dstack's size check: the request, not the file, against the limit, with sizes in its {@code sizeof_fmt}
     * (bytes when both round to the same text).
     */
    void checkSize(String what, String advice) {
        if (limit > 0 && requestSize > limit) {
            String size = sizeOf(requestSize);
            String max = sizeOf(limit);
            if (size.equals(max)) {
                size = requestSize + "B";
                max = limit + "B";
            }
            throw new ai.dstack.api.DstackException(ai.dstack.api.ErrorCode.ERROR, what + " size is " + size
                    + ", which exceeds the limit of " + max + ". " + advice
                    + " This limit can be modified by setting the DSTACK_SERVER_CODE_UPLOAD_LIMIT environment variable.");
        }
    }

    /** Python's {@code "%3.1f%s%s"} over 1024-steps: {@code 2.0MiB}, {@code 512.0B}. */
    static String sizeOf(long bytes) {
        double value = bytes;
        for (String unit : new String[] {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi"}) {
            if (Math.abs(value) < 1024.0) {
                return String.format(java.util.Locale.ROOT, "%3.1f%sB", value, unit);
            }
            value /= 1024.0;
        }
        return String.format(java.util.Locale.ROOT, "%.1fYiB", value);
    }
}
