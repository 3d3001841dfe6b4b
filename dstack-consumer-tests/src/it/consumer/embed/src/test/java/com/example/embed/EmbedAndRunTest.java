package com.example.embed;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EmbedAndRunTest {
    @Test
    void runsATaskOnTheEmbeddedEngine() throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("data.dir")));
        Path task = Files.writeString(dir.resolve("hello.dstack.yml"),
                "type: task\nname: consumer-hello\nresources: {cpu: '1..', memory: '0GB..'}\ncommands:\n  - echo hello from an embedding application\n");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            EmbedAndRun.main(new String[] {dir.resolve("server").toString(), task.toString()});
        } finally {
            System.setOut(out);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertTrue(printed.contains("hello from an embedding application"), printed);
        assertTrue(printed.contains("consumer-hello: done"), printed);
    }

    @Test
    void carriesNoHttpClientAndNoPostgresDriver() {
        assertFalse(present("okhttp3.OkHttpClient"), "OkHttp came with dstack-embedded");
        assertFalse(present("kotlin.Unit"), "Kotlin's runtime came with dstack-embedded");
        assertFalse(present("org.postgresql.Driver"), "the PostgreSQL driver came with dstack-embedded");
        assertFalse(present("io.javalin.Javalin"), "the server came with dstack-embedded");
        assertTrue(present("org.sqlite.JDBC"), "SQLite is missing");
    }

    static boolean present(String name) {
        try {
            Class.forName(name, false, EmbedAndRunTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
