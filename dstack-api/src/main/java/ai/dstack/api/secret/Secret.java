package ai.dstack.api.secret;

import java.util.Objects;
import java.util.UUID;

/**
 * A project secret, referenced in configurations as {@code ${{ secrets.NAME }}}. {@link #toString()} hides the
 * value.
 *
 * @param value null when listed ({@code secrets/list} never returns values)
 */
public record Secret(UUID id, String name, String value) {
    public Secret {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(name, "name is null");
    }

    @Override
    public String toString() {
        return "Secret[id=" + id + ", name=" + name + ", value=" + (value == null ? null : "***") + "]";
    }
}
