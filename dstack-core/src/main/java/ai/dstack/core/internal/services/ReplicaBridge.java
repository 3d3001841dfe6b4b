package ai.dstack.core.internal.services;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback port that leads to a replica's forwarder socket, so HTTP clients (which speak TCP) reach a replica in
 * its own network namespace. Each connection is joined to a new forwarder connection; when the replica's port
 * does not answer, the client's connection is closed at once.
 */
final class ReplicaBridge implements AutoCloseable {
    private static final byte CONNECTED = '1';

    private final Path socket;
    private final ServerSocket server;
    private final ExecutorService pumps = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "dstack-replica-bridge");
        thread.setDaemon(true);
        return thread;
    });

    ReplicaBridge(Path socket) {
        this.socket = socket;
        try {
            this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot open a loopback port for replica socket " + socket, e);
        }
        pumps.execute(this::acceptLoop);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    /** Reads the forwarder's first byte: true when it reached the replica's port. */
    static boolean readPreamble(SocketChannel channel) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        while (one.hasRemaining()) {
            if (channel.read(one) < 0) {
                return false;
            }
        }
        return one.get(0) == CONNECTED;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                pumps.execute(() -> join(client));
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                closeQuietly(client); // the bridge is closing with its replica: the caller tries another replica
                return;
            }
        }
    }

    private void join(Socket client) {
        SocketChannel replica;
        try {
            client.setTcpNoDelay(true);
            replica = SocketChannel.open(StandardProtocolFamily.UNIX);
            replica.connect(UnixDomainSocketAddress.of(socket));
            if (!readPreamble(replica)) {
                replica.close();
                client.close();
                return;
            }
        } catch (IOException e) {
            closeQuietly(client);
            return;
        }
        pumps.execute(() -> toReplica(client, replica));
        fromReplica(client, replica);
    }

    private static void toReplica(Socket client, SocketChannel replica) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = client.getInputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    replica.write(chunk);
                }
            }
            replica.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(replica);
            closeQuietly(client);
        }
    }

    private static void fromReplica(Socket client, SocketChannel replica) {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try {
            OutputStream out = client.getOutputStream();
            while (replica.read(buffer) >= 0) {
                out.write(buffer.array(), 0, buffer.position());
                out.flush();
                buffer.clear();
            }
            client.shutdownOutput();
        } catch (IOException e) {
            // either side went away: both are closed below
        } finally {
            closeQuietly(replica);
            closeQuietly(client);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // already gone
        }
    }

    @Override
    public void close() {
        closeQuietly(server);
        pumps.shutdownNow();
    }
}
