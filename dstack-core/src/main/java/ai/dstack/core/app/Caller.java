package ai.dstack.core.app;

/**
 * Who makes a call: a user authenticated by its token ({@link DstackApp#authenticate}). Immutable; it reflects the
 * user as it was when authenticated, so a long-lived adapter authenticates again on each call (a refreshed token
 * then stops working at once, as it does over HTTP).
 */
public interface Caller {
    String username();

    /** Whether the user has the global {@code admin} role, which passes every permission check. */
    boolean isGlobalAdmin();
}
