package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Size limits hold for chunked bodies too, bodies of unknown callers are not read, and uploads are what they say. */
class UploadLimitsSecurityTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    static Path dir;

    private static ApiServer api;

    @BeforeAll
    static void start() {
        api = ApiServer.start(dir);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** A body of unknown length: OkHttp sends it chunked. */
    private static RequestBody chunked(byte[] content) {
        return new RequestBody() {
            @Override
            public MediaType contentType() {
                return MediaType.get("application/octet-stream");
            }

            @Override
            public long contentLength() {
                return -1;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.write(content);
            }
        };
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    @Test
    void aChunkedArchiveOverTheUploadLimitIsRefusedAsOneWithAContentLength() throws Exception {
        byte[] content = new byte[3 * (int) MIB];
        RequestBody body = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("file", sha256(content), chunked(content)).build();
        assertThat(body.contentLength()).isEqualTo(-1);

        ApiServer.Reply reply = api.call("/api/files/upload_archive", api.adminToken, body, Map.of());

        assertThat(reply.status()).as("%s", reply).isEqualTo(400);
        assertThat(reply.body().path("detail").get(0).path("msg").asText()).startsWith("Archive size is 3.0MiB");
    }

    @Test
    void aChunkedBodyPastTheRequestLimitIsCutOffWith413AndTheConnectionClosed() throws Exception {
        String boundary = "b0undary";
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n";
        Sent sent = sendChunked("/api/files/upload_archive", api.adminToken,
                "multipart/form-data; boundary=" + boundary, head.getBytes(StandardCharsets.US_ASCII), 40 * MIB);

        assertThat(sent.status()).as("%s", sent).isEqualTo(413);
        assertThat(sent.bytes()).as("the server stopped reading").isLessThan(40 * MIB);
    }

    @Test
    void aJsonBodyPastTheLimitIsCutOffToo() throws Exception {
        Sent sent = sendChunked("/api/project/main/fleets/list", api.adminToken, "application/json",
                "{\"x\":\"".getBytes(StandardCharsets.US_ASCII), 40 * MIB);

        assertThat(sent.status()).as("%s", sent).isEqualTo(413);
        assertThat(sent.bytes()).isLessThan(40 * MIB);
    }

    @Test
    void theBodyOfAnUnknownCallerIsNeverRead() throws Exception {
        Sent sent = sendChunked("/api/project/main/fleets/list", "not-a-token", "application/json",
                "{\"x\":\"".getBytes(StandardCharsets.US_ASCII), 20 * MIB);

        assertThat(sent.status()).as("%s", sent).isEqualTo(403);
        assertThat(sent.bytes()).isLessThan(20 * MIB);
    }

    @Test
    void anUploadWhoseNameIsNotItsContentsHashIsRefused() throws Exception {
        byte[] content = "the real content".getBytes(StandardCharsets.UTF_8);
        String otherHash = sha256("what the name claims".getBytes(StandardCharsets.UTF_8));
        RequestBody body = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("file", otherHash, RequestBody.create(content, MediaType.get("application/octet-stream")))
                .build();

        ApiServer.Reply reply = api.call("/api/files/upload_archive", api.adminToken, body, Map.of());

        assertThat(reply.status()).as("%s", reply).isEqualTo(400);
        assertThat(reply.body().toString()).contains("is not the SHA-256 of its content");
        assertThat(api.post("/api/files/get_archive_by_hash", api.adminToken, "{\"hash\":\"" + otherHash + "\"}")
                .status()).isEqualTo(400);
    }

    /** What a raw chunked request came to: the reply's status (-1: none) and how many body bytes went out. */
    record Sent(int status, long bytes) {}

    /** Streams {@code head} then zeros, chunked, up to {@code total} bytes or until the server stops reading. */
    private static Sent sendChunked(String path, String token, String contentType, byte[] head, long total)
            throws IOException {
        try (Socket socket = new Socket("127.0.0.1", api.server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: " + contentType + "\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            long sent = 0;
            byte[] zeros = new byte[64 * 1024];
            try {
                writeChunk(out, head, head.length);
                sent += head.length;
                while (sent < total) {
                    writeChunk(out, zeros, zeros.length);
                    sent += zeros.length;
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // the server closed the connection: it stopped reading
            }
            return new Sent(readStatus(socket.getInputStream()), sent);
        }
    }

    private static void writeChunk(OutputStream out, byte[] data, int length) throws IOException {
        out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(data, 0, length);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static int readStatus(InputStream in) {
        try {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
                line.append((char) c);
            }
            String[] parts = line.toString().split(" ");
            return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
