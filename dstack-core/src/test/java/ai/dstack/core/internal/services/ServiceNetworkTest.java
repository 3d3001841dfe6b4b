package ai.dstack.core.internal.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Two real processes listening on one port, each in its own network namespace, reached through their sockets. */
class ServiceNetworkTest {
    private final List<Process> processes = new ArrayList<>();
    private final ServiceNetwork network = ServiceNetwork.forThisHost();

    @AfterEach
    void cleanUp() {
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        network.close();
    }

    private UUID replica(String answer) throws Exception {
        UUID id = UUID.randomUUID();
        String app = "python3 -c 'import socket\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                + "s.bind((\"127.0.0.1\", 7000)); s.listen(5)\nwhile True:\n  c,_=s.accept(); c.recv(100); c.sendall(b\"" + answer
                + "\"); c.close()'";
        String script = network.wrap(id, "/bin/sh", app, 7000);
        processes.add(new ProcessBuilder("/bin/sh", "-c", script)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start());
        return id;
    }

    private String ask(UUID id) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(network.upstream(id, 7000), 2000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("hi".getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void twoReplicasOnOnePortAnswerEachThroughItsOwnWay() throws Exception {
        Assumptions.assumeTrue(network.isolated(), "network namespaces are not available here");
        UUID first = replica("first");
        UUID second = replica("second");

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> network.accepts(first, 7000) && network.accepts(second, 7000));

        assertThat(ask(first)).isEqualTo("first");
        assertThat(ask(second)).isEqualTo("second");
        assertThat(network.accepts(UUID.randomUUID(), 7000)).isFalse();
        network.release(first);
        network.release(second);
    }
}
