package ai.dstack.storage.logs.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;

/** dstack's file-storage tokens: a line number (ascending) or a byte offset (descending), never negative. */
final class NextTokens {
    private NextTokens() {}

    /** The line to resume from; like dstack, an empty token means "from the start". */
    static long line(String token) {
        return token == null || token.isEmpty() ? 0 : parse(token);
    }

    /** The byte offset to read back from, or -1 for "from the end". */
    static long offset(String token) {
        return token == null ? -1 : parse(token);
    }

    private static long parse(String token) {
        try {
            long value = Long.parseLong(token.strip());
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below, in dstack's words
        }
        throw new DstackException(
                ErrorCode.ERROR, "Invalid next_token: " + token + ". Must be a non-negative integer.");
    }
}
