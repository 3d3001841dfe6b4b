package ai.dstack.server.boundary;

import ai.dstack.core.internal.app.Sha256;

/** A deliberately bad server class (test only): it calls into core's internals, which the boundary rule refuses. */
public final class ReachesIntoTheEngine {
    private ReachesIntoTheEngine() {}

    public static String hash(byte[] content) {
        return Sha256.hex(content);
    }
}
