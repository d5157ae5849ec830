package dev.herald.server.sse;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.SseClient;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /api/v1/events} read by a real HTTP client: frames, ids, resume, gap, topics, kick, acks, counts. */
class SseStreamTest {
    private TestServer server = TestServer.devMode(Map.of(Setting.WS_HEARTBEAT, "300ms"));

    @AfterEach
    void stop() {
        server.close();
    }

    private SseClient open(String query, Map<String, String> headers) {
        return SseClient.open(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/events?" + query), headers);
    }

    private SseClient open(String query) {
        return open(query, Map.of());
    }

    private void awaitOnline(String uid, int connections) {
        Awaitility.await().atMost(SseClient.WAIT).until(() -> server.server().hub().sessions(uid).size() == connections);
    }

    /** Waits for the positions frame naming {@code key} ({@code inbox} for the login's, {@code topics} for a subscribe's), taken already or not. */
    private static void awaitPositions(SseClient sse, String key) {
        java.util.function.Predicate<SseClient.Event> positions = e -> e.event().equals("positions") && e.json().containsKey(key);
        if (sse.seen().stream().noneMatch(positions)) {
            sse.next(positions);
        }
    }

    @Test
    void a_stream_carries_the_websocket_envelopes_as_events_with_the_cursor_set_as_id() {
        try (SseClient sse = open("uid=alice")) {
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
            SseClient.Event welcome = sse.next("welcome");
            assertThat(welcome.json().getString("user")).isEqualTo("alice");
            assertThat(welcome.id()).isNull();
            SseClient.Event positions = sse.next("positions");
            assertThat(positions.id()).isEqualTo("inbox=0,all=0");

            String id = server.publishToUser("alice", "{\"text\":\"hi\"}");
            SseClient.Event message = sse.next("message");
            JsonObject frame = message.json();
            assertThat(frame.getString("type")).isEqualTo("message");
            assertThat(frame.getString("id")).isEqualTo(id);
            assertThat(frame.getJsonObject("data").getString("text")).isEqualTo("hi");
            assertThat(message.id()).isEqualTo("inbox=1@" + frame.getString("epoch") + ",all=0");
        }
    }

    @Test
    void last_event_id_resumes_every_stream_where_the_client_stood() {
        String lastId;
        try (SseClient sse = open("uid=bob&topics=news")) {
            // the login's positions and the topic's come in either order, each once its replay was read
            awaitPositions(sse, "inbox");
            awaitPositions(sse, "topics");
            server.publishToUser("bob", "\"one\"");
            sse.next("message");
            server.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":\"n1\"}");
            SseClient.Event n1 = sse.next("message");
            assertThat(n1.json().getString("topic")).isEqualTo("news");
            assertThat(n1.id()).contains(",topic:news=1@");
            lastId = sse.lastEventId();
        }
        server.awaitGone("bob");
        server.publishToUser("bob", "\"two\"");
        server.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":\"n2\"}");

        try (SseClient sse = open("uid=bob&topics=news", Map.of("Last-Event-ID", lastId))) {
            // each stream from its own cursor: exactly the message after it (order is per stream, not across them)
            java.util.List<String> resumed = java.util.List.of(sse.next("message").json().getString("data"),
                    sse.next("message").json().getString("data"));
            assertThat(resumed).containsExactlyInAnyOrder("two", "n2");
            awaitPositions(sse, "inbox");
            awaitPositions(sse, "topics");
            assertThat(sse.lastEventId()).contains("inbox=2@").contains("topic:news=2@");
            assertThat(sse.seen().stream().filter(e -> e.event().equals("message"))).hasSize(2);
        }
        // the query form, as a client that reconnects with a new EventSource sends it
        try (SseClient sse = open("uid=bob&lastEventId=" + java.net.URLEncoder.encode(lastId, java.nio.charset.StandardCharsets.UTF_8))) {
            assertThat(sse.next("message").json().getString("data")).isEqualTo("two");
        }
    }

    @Test
    void a_resume_past_expired_messages_gets_a_gap_event() {
        server.close();
        server = TestServer.devMode(Map.of(Setting.MESSAGES_INBOX_CAP, "2"));
        String lastId;
        try (SseClient sse = open("uid=carol")) {
            server.publishToUser("carol", "\"m1\"");
            sse.next("message");
            lastId = sse.lastEventId();
        }
        server.awaitGone("carol");
        for (int i = 2; i <= 5; i++) {
            server.publishToUser("carol", "\"m" + i + "\"");
        }
        server.maintainStore(System.currentTimeMillis()); // the cap drops m2 and m3
        try (SseClient sse = open("uid=carol", Map.of("Last-Event-ID", lastId))) {
            SseClient.Event gap = sse.next("gap");
            assertThat(gap.id()).startsWith("inbox=3@");
            assertThat(sse.next("message").json().getString("data")).isEqualTo("m4");
            assertThat(sse.next("message").json().getString("data")).isEqualTo("m5");
        }
    }

    @Test
    void a_heartbeat_is_a_comment_line() {
        try (SseClient sse = open("uid=dave")) {
            sse.next("welcome");
            assertThat(sse.nextComment().text()).isEmpty();
        }
    }

    @Test
    void a_kick_ends_the_stream_with_a_close_event_and_presence_and_stats_name_the_transport() {
        WsClient ws = server.connectHerald("erin");
        try (SseClient sse = open("uid=erin")) {
            sse.next("positions");
            awaitOnline("erin", 2);
            JsonObject presence = new JsonObject(server.http().get("/api/v1/users/erin").body());
            assertThat(presence.getJsonArray("connections").stream().map(c -> ((JsonObject) c).getString("transport")))
                    .containsExactlyInAnyOrder("sse", "websocket");
            JsonObject stats = new JsonObject(server.http().get("/api/v1/stats").body());
            assertThat(stats.getJsonObject("connectionsByTransport").getInteger("sse")).isEqualTo(1);
            assertThat(stats.getJsonObject("connectionsByTransport").getInteger("websocket")).isEqualTo(1);
            assertThat(stats.getJsonObject("total").getJsonObject("connectionsByTransport").getLong("sse")).isEqualTo(1);
            assertThat(server.http().get("/metrics").body()).contains("herald_connections_transport{transport=\"sse\"} 1.0");

            assertThat(server.http().delete("/api/v1/users/erin/connections").status()).isEqualTo(200);
            JsonObject close = sse.next("close").json();
            assertThat(close.getInteger("code")).isEqualTo(4004);
            assertThat(close.getBoolean("reconnect")).isFalse();
            assertThat(sse.ended()).succeedsWithin(SseClient.WAIT);
        }
        ws.close();
        server.awaitGone("erin");
    }

    @Test
    void acks_over_post_are_recorded_like_ack_frames() {
        try (SseClient sse = open("uid=fay")) {
            String id = server.publishToUser("fay", "\"ack me\"");
            sse.next("message");
            var answer = server.http().anonymous().postJson("/api/v1/users/fay/acks", "{\"ids\":[\"" + id + "\"]}");
            assertThat(answer.status()).isEqualTo(202);
            assertThat(new JsonObject(answer.body()).getInteger("accepted")).isEqualTo(1);
            server.awaitStatus(id, "fay", "acked");
            var read = server.http().anonymous().postJson("/api/v1/users/fay/acks", "{\"ids\":[\"" + id + "\"],\"status\":\"read\"}");
            assertThat(read.status()).isEqualTo(202);
            server.awaitStatus(id, "fay", "read");
        }
        var bad = server.http().anonymous().postJson("/api/v1/users/fay/acks", "{\"ids\":[\"nope\"]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errorCode()).isEqualTo("invalid_request");
    }

    @Test
    void a_bad_last_event_id_or_topic_is_refused_as_json_before_the_stream() {
        try (SseClient sse = open("uid=gus", Map.of("Last-Event-ID", "inbox=banana"))) {
            assertThat(sse.status()).isEqualTo(400);
            assertThat(sse.errorBody().getJsonObject("error").getString("code")).isEqualTo("invalid_cursor");
        }
        try (SseClient sse = open("uid=gus&topics=bad%20topic")) {
            assertThat(sse.status()).isEqualTo(400);
            assertThat(sse.errorBody().getJsonObject("error").getString("code")).isEqualTo("invalid_request");
        }
        try (SseClient sse = open("")) {
            assertThat(sse.status()).isEqualTo(401);
            assertThat(sse.errorBody().getJsonObject("error").getString("code")).isEqualTo("unauthorized");
        }
    }
}
