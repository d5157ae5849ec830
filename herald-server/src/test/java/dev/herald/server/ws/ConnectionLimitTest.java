package dev.herald.server.ws;

import dev.herald.core.error.ErrorCode;
import dev.herald.server.config.Setting;
import dev.herald.server.net.ConnectionLimit;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.RawWebSocket;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** ws.max-connections: refused cleanly beyond it, at the upgrade (503) and at accept (closed), and slots come back. */
class ConnectionLimitTest {
    private static final int CAP = 20;
    private final List<SocketChannel> rawSockets = new ArrayList<>();
    private TestServer server;

    @AfterEach
    void stop() throws IOException {
        for (SocketChannel socket : rawSockets) {
            socket.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void the_connection_beyond_the_cap_gets_503_too_many_connections_while_the_others_work_and_a_freed_slot_is_reusable() {
        server = TestServer.devMode(Map.of(Setting.WS_MAX_CONNECTIONS, String.valueOf(CAP)));
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < CAP; i++) {
            clients.add(server.connectHerald("u" + i));
        }

        Http.Response refused = RawWebSocket.refusedUpgrade(server.wsUri("uid=one-too-many"));

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.errorCode()).isEqualTo(ErrorCode.TOO_MANY_CONNECTIONS.code());
        assertThat(refused.headers().firstValue("Connection")).hasValue("close");
        assertThat(answerUntilClosed(server.port(), "also-too-many")).as("the server closes the refused socket itself")
                .startsWith("HTTP/1.1 503").contains("too_many_connections");
        assertThat(server.server().hub().sessions("one-too-many")).isEmpty();
        for (int i = 0; i < CAP; i++) { // every held connection still gets its messages
            assertThat(server.http().get("/send?uid=u" + i + "&message=hello-" + i + "&persist=false").status()).isEqualTo(200);
            String expected = "hello-" + i;
            clients.get(i).awaitFrame(f -> f.contains(expected));
        }
        Http.Response metrics = server.http().get("/metrics");
        assertThat(metrics.metric("herald_connections_refused_total{stage=\"upgrade\"}")).isEqualTo(2.0);
        assertThat(metrics.metric("herald_connections_max")).isEqualTo(CAP);

        clients.getFirst().close();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().connectionLimit().webSockets() == CAP - 1);
        WsClient reusing = server.connectHerald("reuser");
        assertThat(server.http().get("/send?uid=reuser&message=back&persist=false").status()).isEqualTo(200);
        reusing.awaitFrame(f -> f.contains("back"));
        assertThat(RawWebSocket.refusedUpgrade(server.wsUri("uid=again")).errorCode()).isEqualTo("too_many_connections");
    }

    @Test
    void idle_sockets_beyond_the_cap_and_the_http_headroom_evict_the_oldest_idle_ones_and_the_server_recovers() {
        server = TestServer.devMode(Map.of(Setting.WS_MAX_CONNECTIONS, "1"));
        WsClient holder = server.connectHerald("holder");
        ConnectionLimit limit = server.server().connectionLimit();
        int admittable = 1 + ConnectionLimit.HTTP_HEADROOM - limit.tcpConnections();
        int extra = 10;

        for (int i = 0; i < admittable + extra; i++) {
            rawSockets.add(openIdle(server.port())); // never sends a request
        }

        // at the cap each new socket evicts the oldest one still waiting for its first request (not the WebSocket)
        Awaitility.await().atMost(WsClient.WAIT).until(() -> closedByServer() == extra);
        Awaitility.await().during(Duration.ofMillis(300)).atMost(WsClient.WAIT).until(() -> closedByServer() == extra);
        assertThat(server.server().httpGuard().evicted().sum()).isEqualTo(extra);
        assertThat(limit.refusedAtAccept().sum()).isZero();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> limit.tcpConnections() == 1 + ConnectionLimit.HTTP_HEADROOM);

        closeQuietly(rawSockets.removeLast());
        Awaitility.await().atMost(WsClient.WAIT).until(() -> limit.tcpConnections() == ConnectionLimit.HTTP_HEADROOM);
        Http.Response health = server.http().get("/health"); // the freed slot serves HTTP again
        assertThat(health.status()).isEqualTo(200);
        assertThat(new JsonObject(health.body()).getString("status")).isEqualTo("UP");
        assertThat(server.http().get("/send?uid=holder&message=still-here&persist=false").status()).isEqualTo(200);
        holder.awaitFrame(f -> f.contains("still-here"));
    }

    /** Sends an upgrade request and reads everything the server sends until it closes the connection. */
    private static String answerUntilClosed(int port, String uid) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) WsClient.WAIT.toMillis()); // a socket left open fails here
            socket.getOutputStream().write(("GET /ws?uid=" + uid + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SocketChannel openIdle(int port) {
        try {
            SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            socket.configureBlocking(false);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Raw sockets the server has closed (a read sees end of stream); the others have nothing to read. */
    private long closedByServer() {
        ByteBuffer buffer = ByteBuffer.allocate(16);
        return rawSockets.stream().filter(socket -> {
            try {
                buffer.clear();
                return socket.read(buffer) < 0;
            } catch (IOException e) {
                return true; // reset by the server
            }
        }).count();
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
