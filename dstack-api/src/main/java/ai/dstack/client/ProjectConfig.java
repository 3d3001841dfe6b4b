package ai.dstack.client;

import java.util.Objects;

/**
 * One entry of {@code projects} in {@code ~/.dstack/config.yml}: a project on a server, and the token to use there.
 * {@link #toString()} hides the token.
 *
 * @param isDefault whether this is the project used when none is named
 */
public record ProjectConfig(String name, String url, String token, boolean isDefault) {
    public ProjectConfig {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(url, "url is null");
        Objects.requireNonNull(token, "token is null");
    }

    ProjectConfig withDefault(boolean isDefault) {
        return new ProjectConfig(name, url, token, isDefault);
    }

    @Override
    public String toString() {
        return "ProjectConfig[name=" + name + ", url=" + url + ", token=***, default=" + isDefault + "]";
    }
}
