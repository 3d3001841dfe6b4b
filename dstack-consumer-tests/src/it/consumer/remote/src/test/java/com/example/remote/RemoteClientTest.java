package com.example.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.client.Dstack;
import ai.dstack.client.DstackClient;
import ai.dstack.client.DstackProject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** An application that only talks to a server: dstack-client and nothing of the engine. */
class RemoteClientTest {
    @Test
    void runsATaskOnTheServer() throws Exception {
        try (DstackClient dstack = Dstack.remote(System.getProperty("dstack.url"), System.getProperty("dstack.token"), "main")) {
            DstackProject main = dstack.project();
            RunConfiguration task = DstackYaml.parse("type: task\nname: consumer-remote\ncommands:\n  - echo hello over the REST API\n",
                    "remote.dstack.yml", RunConfiguration.class);
            Run run = main.applyRun(main.getRunPlan(RunSpec.newBuilder().configuration(task).build()));
            StringBuilder output = new StringBuilder();
            Run done = main.followLogs(run.runSpec().runName(),
                    event -> output.append(new String(event.messageBytes(), StandardCharsets.UTF_8)));
            System.out.print(output);
            assertEquals(RunStatus.DONE, done.status(), output.toString());
            assertTrue(output.toString().contains("hello over the REST API"), output.toString());
        }
    }

    @Test
    void carriesNoEngineDatabaseSshOrServer() {
        for (String name : new String[] {"ai.dstack.core.DstackEngine", "org.sqlite.JDBC", "org.postgresql.Driver",
                "org.apache.sshd.client.SshClient", "io.javalin.Javalin", "org.flywaydb.core.Flyway"}) {
            assertFalse(present(name), name + " came with dstack-client");
        }
        assertTrue(present("okhttp3.OkHttpClient"), "OkHttp is missing");
    }

    static boolean present(String name) {
        try {
            Class.forName(name, false, RemoteClientTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
