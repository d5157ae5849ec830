package dev.herald.server.durable;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.MutableClock;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /api/v1/messages/{id}}: the message and, per recipient, accepted → delivered → acked → read with times. */
class ReceiptsTest {
    private final MutableClock clock = new MutableClock();
    private final TestServer server = TestServer.devMode(Map.of(), clock);

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void a_receipt_shows_the_message_and_every_recipient_accepted_while_nobody_got_it() {
        Http.Response published = server.http().postJson("/api/v1/messages",
                "{\"to\":{\"users\":[\"a\",\"b\"]},\"data\":{\"text\":\"hi\"}}");
        String id = new JsonObject(published.body()).getString("id");

        JsonObject receipt = server.receipt(id);

        assertThat(receipt.getString("id")).isEqualTo(id);
        assertThat(receipt.getLong("ts")).isEqualTo(clock.millis());
        assertThat(receipt.getJsonObject("to").encode()).isEqualTo("{\"users\":[\"a\",\"b\"],\"topics\":[],\"all\":false}");
        assertThat(receipt.getJsonObject("data").encode()).isEqualTo("{\"text\":\"hi\"}");
        assertThat(receipt.getJsonArray("recipients").encode()).isEqualTo("["
                + "{\"user\":\"a\",\"status\":\"accepted\",\"deliveredAt\":null,\"ackedAt\":null,\"readAt\":null},"
                + "{\"user\":\"b\",\"status\":\"accepted\",\"deliveredAt\":null,\"ackedAt\":null,\"readAt\":null}]");
    }

    @Test
    void a_recipient_moves_from_delivered_to_acked_to_read_with_the_time_of_each_step() {
        String id = server.publishToUser("a", "1");
        long published = clock.millis();

        clock.advance(Duration.ofSeconds(1));
        WsClient client = server.connectHerald("a");
        client.awaitMessageIds(1);
        server.awaitStatus(id, "a", "delivered");
        clock.advance(Duration.ofSeconds(1));
        client.send("{\"type\":\"ack\",\"id\":\"" + id + "\"}");
        server.awaitStatus(id, "a", "acked");
        clock.advance(Duration.ofSeconds(1));
        client.send("{\"type\":\"read\",\"id\":\"" + id + "\"}");
        server.awaitStatus(id, "a", "read");

        JsonObject a = server.recipient(id, "a");
        assertThat(a.getLong("deliveredAt")).isEqualTo(published + 1_000);
        assertThat(a.getLong("ackedAt")).isEqualTo(published + 2_000);
        assertThat(a.getLong("readAt")).isEqualTo(published + 3_000);
    }

    @Test
    void each_recipient_has_its_own_status() {
        Http.Response published = server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"a\",\"b\"]},\"data\":1}");
        String id = new JsonObject(published.body()).getString("id");

        WsClient a = server.connectHerald("a");
        a.awaitMessageIds(1);
        a.send("{\"type\":\"ack\",\"id\":\"" + id + "\"}");
        server.awaitStatus(id, "a", "acked");

        assertThat(server.recipient(id, "b").getString("status")).isEqualTo("accepted");
    }

    @Test
    void a_status_never_moves_back() {
        String id = server.publishToUser("a", "1");
        WsClient client = server.connectHerald("a");
        client.awaitMessageIds(1);
        client.send("{\"type\":\"read\",\"id\":\"" + id + "\"}");
        server.awaitStatus(id, "a", "read");

        client.send("{\"type\":\"ack\",\"id\":\"" + id + "\"}");
        client.send("{\"type\":\"ping\",\"ref\":\"after-ack\"}");
        client.awaitFrame(f -> f.contains("after-ack"));
        // the store applies updates in call order: once a later one shows, the ack was applied
        String later = server.publishToUser("a", "2");
        server.awaitStatus(later, "a", "delivered");

        assertThat(server.recipient(id, "a").getString("status")).isEqualTo("read");
    }

    @Test
    void a_receipt_of_an_unknown_id_is_404_message_not_found() {
        Http.Response r = server.http().get("/api/v1/messages/01KAYZ5J4V0000000000000000");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("message_not_found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nope", "01kayz5j4v0000000000000000", "01KAYZ5J4V000000000000000", "81KAYZ5J4V0000000000000000", "%20"})
    void a_receipt_of_a_malformed_id_is_404_message_not_found(String id) {
        Http.Response r = server.http().get("/api/v1/messages/" + id);

        assertThat(r.status()).as(r.body()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("message_not_found");
    }
}
