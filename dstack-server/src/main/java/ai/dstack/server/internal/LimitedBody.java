package ai.dstack.server.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body while counting its bytes, whatever the request says of its length (a chunked body says
 * nothing): reading stops as soon as the count passes the limit, so a large body never reaches the heap.
 */
final class LimitedBody {
    /** The body went past the limit; what was read so far is dropped. */
    static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(long limit) {
            super("the request body exceeds " + limit + " bytes", null);
        }
    }

    private LimitedBody() {}

    /** All of {@code in}, or {@link TooLargeException} once more than {@code limit} bytes came. */
    static byte[] read(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            total += n;
            if (total > limit) {
                throw new TooLargeException(limit);
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
