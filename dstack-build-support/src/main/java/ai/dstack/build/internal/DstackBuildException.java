package ai.dstack.build.internal;

/** A problem the user can fix, worded for a build's output; the plugins turn it into their own build failure. */
public final class DstackBuildException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DstackBuildException(String message) {
        super(message);
    }

    public DstackBuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
