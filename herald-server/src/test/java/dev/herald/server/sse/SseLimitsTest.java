package dev.herald.server.sse;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.SseClient;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.Tokens;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The SSE stream under the WebSocket's policies: auth, the per-user and per-node caps, the slow-consumer close. */
class SseLimitsTest {
    private TestServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    private SseClient open(String query, Map<String, String> headers) {
        return SseClient.open(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/events?" + query), headers);
    }

    private static String code(SseClient refused) {
        return refused.errorBody().getJsonObject("error").getString("code");
    }

    @Test
    void a_token_in_the_header_or_the_query_opens_the_stream_and_every_refusal_is_json() {
        server = TestServer.withAuth(Map.of());
        String token = Tokens.hs256(TestServer.JWT_SECRET, Tokens.claims("hank").claim("topics", List.of("news")).build());
        try (SseClient sse = open("topics=news", Map.of("Authorization", "Bearer " + token))) {
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.next("welcome").json().getString("user")).isEqualTo("hank");
        }
        try (SseClient sse = open("token=" + token, Map.of())) {
            assertThat(sse.next("welcome").json().getString("user")).isEqualTo("hank");
        }
        try (SseClient sse = open("", Map.of())) {
            assertThat(sse.status()).isEqualTo(401);
            assertThat(code(sse)).isEqualTo("unauthorized");
        }
        try (SseClient sse = open("token=not.a.token", Map.of())) {
            assertThat(sse.status()).isEqualTo(401);
            assertThat(code(sse)).isEqualTo("unauthorized");
        }
        try (SseClient sse = open("uid=hank", Map.of())) {
            assertThat(sse.status()).isEqualTo(403);
            assertThat(code(sse)).isEqualTo("forbidden");
        }
        try (SseClient sse = open("token=" + token + "&topics=secret", Map.of())) {
            assertThat(sse.status()).isEqualTo(403);
            assertThat(code(sse)).isEqualTo("forbidden");
        }
        try (SseClient sse = open("token=" + token, Map.of("Origin", "https://evil.example"))) {
            assertThat(sse.status()).isEqualTo(403);
            assertThat(code(sse)).isEqualTo("origin_not_allowed");
        }
    }

    @Test
    void acks_take_the_users_own_token_and_answer_allowed_origins_with_cors() {
        server = TestServer.withAuth(Map.of(Setting.WS_ALLOWED_ORIGINS, "https://app.example"));
        String id = server.publishToUser("lena", "\"hello\"");
        String body = "{\"ids\":[\"" + id + "\"]}";
        var anonymous = server.http().anonymous();

        var preflight = anonymous.send(anonymous.request("/api/v1/users/lena/acks").header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "POST").method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody()));
        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
        assertThat(preflight.headers().firstValue("access-control-allow-headers").orElse("")).contains("Authorization");

        var noToken = anonymous.postJson("/api/v1/users/lena/acks", body);
        assertThat(noToken.status()).isEqualTo(401);
        assertThat(noToken.errorCode()).isEqualTo("unauthorized");
        var othersToken = anonymous.send(anonymous.request("/api/v1/users/lena/acks").header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + Tokens.hs256(TestServer.JWT_SECRET, Tokens.claims("mallory").build()))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)));
        assertThat(othersToken.status()).isEqualTo(403);
        assertThat(othersToken.errorCode()).isEqualTo("forbidden");
        var evil = anonymous.send(anonymous.request("/api/v1/users/lena/acks?token=" + Tokens.hs256(TestServer.JWT_SECRET,
                        Tokens.claims("lena").build())).header("Content-Type", "application/json").header("Origin", "https://evil.example")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)));
        assertThat(evil.status()).isEqualTo(403);
        assertThat(evil.errorCode()).isEqualTo("origin_not_allowed");

        var own = anonymous.send(anonymous.request("/api/v1/users/lena/acks").header("Content-Type", "application/json")
                .header("Origin", "https://app.example")
                .header("Authorization", "Bearer " + Tokens.hs256(TestServer.JWT_SECRET, Tokens.claims("lena").build()))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)));
        assertThat(own.status()).isEqualTo(202);
        assertThat(own.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
        server.awaitStatus(id, "lena", "acked");
    }

    @Test
    void the_per_user_cap_counts_websockets_and_streams_together() {
        server = TestServer.devMode(Map.of(Setting.WS_MAX_CONNECTIONS_PER_USER, "2"));
        WsClient ws = server.connectHerald("ivy");
        try (SseClient first = open("uid=ivy", Map.of()); SseClient second = open("uid=ivy", Map.of())) {
            first.next("welcome");
            assertThat(second.status()).isEqualTo(429);
            assertThat(code(second)).isEqualTo("too_many_user_connections");
            assertThat(server.server().stats().connectionsRejected.sum()).isEqualTo(1);
        }
        ws.close();
    }

    @Test
    void the_node_cap_counts_websockets_and_streams_together() {
        server = TestServer.devMode(Map.of(Setting.WS_MAX_CONNECTIONS, "1"));
        try (SseClient first = open("uid=jan", Map.of())) {
            first.next("welcome");
            assertThat(server.server().connectionLimit().webSockets()).isEqualTo(1);
            try (SseClient second = open("uid=kim", Map.of())) {
                assertThat(second.status()).isEqualTo(503);
                assertThat(code(second)).isEqualTo("too_many_connections");
            }
        }
        // the stream's slot comes back when its connection closes
        Awaitility.await().atMost(SseClient.WAIT).until(() -> server.server().connectionLimit().webSockets() == 0);
        try (SseClient again = open("uid=kim", Map.of())) {
            assertThat(again.next("welcome").json().getString("user")).isEqualTo("kim");
        }
    }

    @Test
    void a_stream_that_is_not_read_is_closed_as_a_slow_consumer_and_counted() throws Exception {
        server = TestServer.devMode(Map.of(Setting.WS_SEND_QUEUE_SIZE, "64KiB"));
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096); // before connect: a small window, so the server's buffers fill soon
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            OutputStream out = socket.getOutputStream();
            out.write("GET /api/v1/events?uid=slow HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Awaitility.await().atMost(SseClient.WAIT).until(() -> !server.server().hub().sessions("slow").isEmpty());
            String payload = "p".repeat(6_000);
            int published = 0;
            // never read: kernel and Vert.x buffers absorb some before the 64KiB queue fills
            while (!server.server().hub().sessions("slow").isEmpty() && published < 5_000) {
                server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"slow\"]},\"data\":\"" + payload + "\"}");
                published++;
            }
            assertThat(server.server().hub().sessions("slow")).as("still registered after %d messages", published).isEmpty();
            assertThat(server.server().stats().slowConsumerCloses.sum()).isEqualTo(1);
            // reading now, the stream began (200) and ends, its queue dropped
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
        }
        Awaitility.await().atMost(SseClient.WAIT).until(() -> server.server().connectionLimit().webSockets() == 0);
    }
    @Test
    void a_peer_that_never_reads_loses_its_connection_5_s_after_the_slow_consumer_close_and_the_drop_is_counted() throws Exception {
        server = TestServer.devMode(Map.of(Setting.WS_SEND_QUEUE_SIZE, "64KiB"));
        SseEndpoint streams = server.server().eventStreams();
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096); // before connect: a small window, so the server's buffers fill soon
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            OutputStream out = socket.getOutputStream();
            out.write("GET /api/v1/events?uid=deaf HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Awaitility.await().atMost(SseClient.WAIT).until(() -> !server.server().hub().sessions("deaf").isEmpty());
            String payload = "p".repeat(6_000);
            for (int published = 0; !server.server().hub().sessions("deaf").isEmpty() && published < 5_000; published++) {
                server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"deaf\"]},\"data\":\"" + payload + "\"}");
            }
            long closed = System.nanoTime();
            assertThat(server.server().hub().sessions("deaf")).as("closed as a slow consumer").isEmpty();
            assertThat(server.server().stats().slowConsumerCloses.sum()).isEqualTo(1);
            // the stream's close event cannot leave (nothing is read): the connection is dropped after the closing timeout
            Awaitility.await().atMost(java.time.Duration.ofSeconds(SseSession.CLOSING_TIMEOUT_SECONDS + 3))
                    .until(() -> streams.closingTimeouts().sum() == 1);
            double seconds = (System.nanoTime() - closed) / 1e9;
            assertThat(seconds).as("dropped by the closing timeout, not before").isGreaterThan(SseSession.CLOSING_TIMEOUT_SECONDS - 0.5);
            assertThat(server.http().get("/metrics").metric("herald_sse_closing_timeouts_total")).isEqualTo(1.0);
            // the server's side is closed: what it had sent drains to the reader, then the end of the stream
            socket.setSoTimeout(10_000);
            socket.getInputStream().readAllBytes(); // returns at the FIN (a SocketTimeoutException if the server held on)
        }
        Awaitility.await().atMost(SseClient.WAIT).until(() -> server.server().connectionLimit().webSockets() == 0);
    }

}
