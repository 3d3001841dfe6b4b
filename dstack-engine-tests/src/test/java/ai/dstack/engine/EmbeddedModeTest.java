package ai.dstack.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.client.Dstack;
import ai.dstack.client.DstackClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dstack.mode=embedded} of {@link Dstack#connect(Map)}: an engine built from settings and owned by its client.
 * What the client does once connected is {@link ai.dstack.testing.DstackClientContract}'s.
 */
class EmbeddedModeTest {
    private static final String ADMIN_TOKEN = UUID.randomUUID().toString();

    @TempDir
    Path dir;

    private DstackClient embedded() {
        return Dstack.connect(Map.of(Dstack.MODE, "embedded", "dstack.server-dir", dir.resolve("embedded").toString(),
                "dstack.local-blocks", "8", "dstack.admin-token", ADMIN_TOKEN, Dstack.PROJECT, "main"));
    }

    @Test
    void closingAnEmbeddedClientClosesItsEngineAndTheStateStays() {
        DstackClient first = embedded();
        assertThat(first.me().username()).isEqualTo("admin");
        assertThat(first.defaultProjectName()).contains("main");
        first.setSecret("main", "KEPT", "value");
        first.close();
        assertThatThrownBy(() -> first.listSecrets("main")).isInstanceOf(IllegalStateException.class);

        try (DstackClient second = embedded()) {
            assertThat(second.getSecret("main", "KEPT").value()).isEqualTo("value");
        }
        assertThat(Dstack.availableModes()).contains("embedded", "remote");
    }

    @Test
    void anEmbeddedSettingThatDoesNotParseIsRefusedByName() {
        DstackException e = catchThrowableOfType(DstackException.class, () -> Dstack.connect(Map.of(
                Dstack.MODE, "embedded", "dstack.server-dir", dir.resolve("bad").toString(), "dstack.local-blocks", "zero")));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(e.getMessage()).contains("dstack.local-blocks").contains("'zero'");

        DstackException fleet = catchThrowableOfType(DstackException.class, () -> Dstack.connect(Map.of(
                Dstack.MODE, "embedded", "dstack.server-dir", dir.resolve("bad").toString(), "dstack.local-fleet", "maybe")));
        assertThat(fleet.getMessage()).contains("dstack.local-fleet").contains("'maybe'");
    }
}
