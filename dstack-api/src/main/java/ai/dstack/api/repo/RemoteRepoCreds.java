package ai.dstack.api.repo;

import java.util.Objects;

/**
 * How to clone a remote repo: over SSH with a private key, or over HTTPS with an OAuth token. {@link #toString()}
 * hides both secrets.
 */
public record RemoteRepoCreds(String cloneUrl, String privateKey, String oauthToken) {
    public RemoteRepoCreds {
        Objects.requireNonNull(cloneUrl, "cloneUrl is null");
    }

    @Override
    public String toString() {
        return "RemoteRepoCreds[cloneUrl=" + cloneUrl
                + ", privateKey=" + (privateKey == null ? null : "***")
                + ", oauthToken=" + (oauthToken == null ? null : "***") + "]";
    }
}
