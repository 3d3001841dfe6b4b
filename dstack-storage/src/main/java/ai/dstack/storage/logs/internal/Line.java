package ai.dstack.storage.logs.internal;

/**
 * One complete line of a log file, without its newline.
 *
 * @param bytes a buffer holding the line; valid only until the reader moves on
 * @param offset where the line starts in {@code bytes}
 * @param length the line's length in bytes
 * @param start where the line starts in the file
 */
record Line(byte[] bytes, int offset, int length, long start) {

    /** The file offset just past this line's newline. */
    long next() {
        return start + length + 1;
    }
}
