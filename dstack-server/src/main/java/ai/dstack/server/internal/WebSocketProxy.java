package ai.dstack.server.internal;

import ai.dstack.core.app.ServiceTarget;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * WebSocket upgrades on a service's path: the caller's socket is joined to one on a ready replica (chosen in turn,
 * with the service's auth), messages pass both ways as they come, and a close on either side closes the other.
 */
final class WebSocketProxy {
    /** Policy violation: what a refused caller's socket is closed with. */
    private static final int REFUSED = 1008;

    private final ServiceProxy proxy;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, WebSocket> upstreams = new ConcurrentHashMap<>();

    WebSocketProxy(ServiceProxy proxy) {
        this.proxy = proxy;
    }

    void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            ctx.session.setIdleTimeout(Duration.ZERO);
            ServiceTarget target;
            try {
                target = proxy.target(ctx.pathParam("project"), ctx.pathParam("run"), ctx.header("Authorization"));
            } catch (ServiceProxy.ProxyError e) {
                ctx.closeSession(REFUSED, e.getMessage());
                return;
            }
            String rest = "/" + ctx.pathParam("path");
            String path = target.stripPrefix() ? rest
                    : "/proxy/services/" + target.projectName() + "/" + target.runName() + rest;
            String query = ctx.queryString();
            InetSocketAddress replica = proxy.pick(target, 0);
            URI uri = URI.create("ws://127.0.0.1:" + replica.getPort() + path + (query == null ? "" : "?" + query));
            try {
                WebSocket upstream = http.newWebSocketBuilder().buildAsync(uri, new ToCaller(ctx)).join();
                upstreams.put(ctx.sessionId(), upstream);
            } catch (RuntimeException e) {
                ctx.closeSession(1011, "Error requesting upstream");
            }
        });
        ws.onMessage(ctx -> send(ctx, upstream -> upstream.sendText(ctx.message(), true)));
        ws.onBinaryMessage(ctx -> send(ctx, upstream -> upstream.sendBinary(ctx.data(), true)));
        ws.onClose(ctx -> {
            WebSocket upstream = upstreams.remove(ctx.sessionId());
            if (upstream != null) {
                int status = ctx.status() >= 1000 && ctx.status() != 1005 && ctx.status() != 1006 ? ctx.status() : 1000;
                upstream.sendClose(status, ctx.reason() == null ? "" : ctx.reason());
            }
        });
        ws.onError(ctx -> {
            WebSocket upstream = upstreams.remove(ctx.sessionId());
            if (upstream != null) {
                upstream.abort();
            }
        });
    }

    private void send(WsContext ctx, java.util.function.Function<WebSocket, CompletableFuture<WebSocket>> message) {
        WebSocket upstream = upstreams.get(ctx.sessionId());
        if (upstream != null) {
            message.apply(upstream).join(); // one send at a time, as the JDK's WebSocket wants
        }
    }

    /** Passes the replica's messages to the caller. */
    private static final class ToCaller implements WebSocket.Listener {
        private final WsContext caller;
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        ToCaller(WsContext caller) {
            this.caller = caller;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                caller.send(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                caller.send(ByteBuffer.wrap(binary.toByteArray()));
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            caller.closeSession(status, reason);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            caller.closeSession(1011, "Error requesting upstream");
        }
    }
}
