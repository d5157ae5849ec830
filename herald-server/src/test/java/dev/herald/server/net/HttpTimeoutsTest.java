package dev.herald.server.net;

import dev.herald.core.error.ErrorCode;
import dev.herald.server.config.Setting;
import dev.herald.server.testing.RawHttp;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.TestServers;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sockets that hold a slot without using it: silent ones, slowloris senders, idle keep-alive connections, too
 * many from one address, and a node whose socket cap is full of them, which must still answer {@code /health}
 * and the API. Real server, raw sockets.
 */
class HttpTimeoutsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final TestServers servers = new TestServers();
    private final List<Socket> sockets = new ArrayList<>();
    private final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        trickle.shutdownNow();
        sockets.forEach(HttpTimeoutsTest::closeQuietly);
        servers.close();
    }

    @Test
    void silent_sockets_are_answered_408_and_closed_within_the_header_timeout() throws IOException {
        TestServer s = servers.devMode(Map.of(Setting.HTTP_HEADER_TIMEOUT, "500ms"));
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            sockets.add(open(s.port()));
        }

        for (Socket socket : sockets) {
            RawHttp.Response answer = RawHttp.read(socket.getInputStream(), false);
            assertThat(answer.status()).isEqualTo(408);
            assertThat(new JsonObject(answer.body()).getJsonObject("error").getString("code")).isEqualTo(ErrorCode.REQUEST_TIMEOUT.code());
            assertThat(answer.header("connection")).isEqualTo("close");
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        // 500 ms, plus at most a sweep interval (a quarter of it), plus slack for a loaded machine
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        Awaitility.await().atMost(WAIT).until(() -> s.server().connectionLimit().tcpConnections() == 0);
        assertThat(s.server().httpGuard().headerTimeouts().sum()).isEqualTo(20);
        assertThat(s.http().get("/metrics").metric("herald_http_timeouts_total")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void a_slowloris_sender_trickling_header_lines_is_cut_off_at_the_header_timeout() throws IOException {
        TestServer s = servers.devMode(Map.of(Setting.HTTP_HEADER_TIMEOUT, "1s"));
        Socket socket = open(s.port());
        OutputStream out = socket.getOutputStream();
        write(out, "GET /health HTTP/1.1\r\nHost: localhost\r\n");
        long start = System.nanoTime();
        trickle.scheduleAtFixedRate(() -> {
            try {
                write(out, "X-Slow: still-coming\r\n");
            } catch (UncheckedIOException closed) {
                throw closed; // ends the schedule once the server has closed the socket
            }
        }, 100, 100, TimeUnit.MILLISECONDS);

        RawHttp.Response answer = RawHttp.read(socket.getInputStream(), false);

        assertThat(answer.status()).isEqualTo(408);
        assertThat(answer.body()).contains("\"code\":\"request_timeout\"").doesNotContain("still-coming");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(700), Duration.ofSeconds(4));
        assertThat(endOfStream(socket)).isTrue();
    }

    @Test
    void an_idle_keep_alive_connection_is_served_and_then_closed_after_the_idle_timeout() throws IOException {
        TestServer s = servers.devMode(Map.of(Setting.HTTP_IDLE_TIMEOUT, "500ms"));
        Socket socket = open(s.port());
        for (int i = 0; i < 2; i++) { // two requests on one connection: keep-alive works until the connection idles
            write(socket.getOutputStream(), "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(RawHttp.read(socket.getInputStream(), false).status()).isEqualTo(200);
        }
        long served = System.nanoTime();

        assertThat(endOfStream(socket)).as("closed without an answer").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - served)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(4));
        assertThat(s.server().httpGuard().idleTimeouts().sum()).isEqualTo(1);
        assertThat(s.server().httpGuard().headerTimeouts().sum()).isZero();
    }

    @Test
    void health_and_an_authenticated_publish_are_served_while_silent_sockets_fill_the_socket_cap() {
        TestServer s = servers.withAuth(Map.of(Setting.WS_MAX_CONNECTIONS, "20"));
        for (int i = 0; i < 75; i++) { // 20 + 50 headroom = 70 sockets at most
            sockets.add(open(s.port()));
        }
        Awaitility.await().atMost(WAIT).until(() -> s.server().httpGuard().evicted().sum() == 5);

        assertThat(s.http().get("/health").status()).isEqualTo(200);
        assertThat(s.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"u1\"]},\"data\":\"hi\"}").status()).isEqualTo(202);
        assertThat(s.server().connectionLimit().refusedAtAccept().sum()).isZero();
        assertThat(s.server().connectionLimit().tcpConnections()).isLessThanOrEqualTo(70 + 1);
    }

    @Test
    void the_per_address_cap_refuses_the_next_connection_with_429_until_one_closes() {
        TestServer s = servers.devMode(Map.of(Setting.HTTP_MAX_CONNECTIONS_PER_ADDRESS, "3"));
        for (int i = 0; i < 3; i++) {
            sockets.add(open(s.port()));
        }
        Awaitility.await().atMost(WAIT).until(() -> s.server().connectionLimit().tcpConnections() == 3);

        RawHttp.Response refused = RawHttp.unprompted(s.port(), "");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("code"))
                .isEqualTo(ErrorCode.TOO_MANY_CONNECTIONS_FROM_ADDRESS.code());
        assertThat(s.server().httpGuard().refusedPerAddress().sum()).isEqualTo(1);

        closeQuietly(sockets.removeFirst());
        Awaitility.await().atMost(WAIT).until(() -> s.server().connectionLimit().tcpConnections() == 2);
        assertThat(RawHttp.get(s.port(), "/health").status()).isEqualTo(200);
    }

    @Test
    void a_websocket_is_no_longer_subject_to_the_http_timeouts_once_upgraded() {
        TestServer s = servers.devMode(Map.of(Setting.HTTP_HEADER_TIMEOUT, "200ms", Setting.HTTP_IDLE_TIMEOUT, "200ms",
                Setting.HTTP_UPGRADE_TIMEOUT, "200ms"));
        WsClient client = s.connectHerald("long-lived");

        // ten times every timeout, and the sweep runs every 50 ms: the WebSocket is left alone
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> !client.isClosed());
        s.publishToUser("long-lived", "\"still here\"");
        client.awaitFrame(f -> f.contains("still here"));
        assertThat(s.server().httpGuard().headerTimeouts().sum() + s.server().httpGuard().idleTimeouts().sum()
                + s.server().httpGuard().upgradeTimeouts().sum()).isZero();
    }

    private Socket open(int port) {
        try {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout((int) WAIT.toMillis());
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(OutputStream out, String text) {
        try {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads until the server closes the connection (true), or the read times out (false). */
    private static boolean endOfStream(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            while (in.read() >= 0) {
                // drain
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
