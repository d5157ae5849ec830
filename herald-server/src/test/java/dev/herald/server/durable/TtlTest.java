package dev.herald.server.durable;

import dev.herald.server.config.Setting;
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

/** A message's {@code ttl}: how long it waits for its recipients; the server's clock is moved by hand. */
class TtlTest {
    private final MutableClock clock = new MutableClock();
    private final TestServer server = TestServer.devMode(
            Map.of(Setting.MESSAGES_TTL, "10m", Setting.MESSAGES_MAX_TTL, "1h"), clock);

    @AfterEach
    void stop() {
        server.close();
    }

    private String publish(String uid, String ttl) {
        Http.Response r = server.http().postJson("/api/v1/messages",
                "{\"to\":{\"users\":[\"" + uid + "\"]},\"data\":\"x\"" + (ttl == null ? "" : ",\"ttl\":" + ttl) + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        return new JsonObject(r.body()).getString("id");
    }

    @Test
    void a_message_whose_ttl_ran_out_is_not_replayed_and_its_receipt_says_expired() {
        String shortLived = publish("u", "\"1s\"");
        String longLived = publish("u", null);

        clock.advance(Duration.ofSeconds(2));
        WsClient client = server.connectHerald("u");

        assertThat(client.awaitMessageIds(1)).containsExactly(longLived);
        assertThat(server.recipient(shortLived, "u").getString("status")).isEqualTo("expired");
        assertThat(server.recipient(longLived, "u").getString("status")).isIn("accepted", "delivered");
        assertThat(server.receipt(shortLived).getLong("expiresAt"))
                .isEqualTo(server.receipt(shortLived).getLong("ts") + 1_000);
    }

    @Test
    void a_message_is_replayed_until_its_ttl_runs_out() {
        String id = publish("u", "30");

        clock.advance(Duration.ofSeconds(29));
        WsClient client = server.connectHerald("u");

        assertThat(client.awaitMessageIds(1)).containsExactly(id);
    }

    @Test
    void a_message_without_ttl_waits_for_messages_ttl() {
        String id = publish("u", null);

        JsonObject receipt = server.receipt(id);

        assertThat(receipt.getLong("expiresAt") - receipt.getLong("ts")).isEqualTo(Duration.ofMinutes(10).toMillis());
        assertThat(receipt.getLong("ts")).isEqualTo(clock.millis());
    }

    @Test
    void a_client_resuming_past_a_message_that_expired_gets_a_gap_frame() {
        String cursor = publish("u", null);
        publish("u", "\"1s\"");
        String kept = publish("u", null);

        clock.advance(Duration.ofSeconds(2));
        WsClient client = server.connect("uid=u&since=" + cursor);

        assertThat(client.awaitMessageIds(1)).containsExactly(kept);
        assertThat(client.frames().get(1)).matches("\\{\"type\":\"gap\",\"since\":\"" + cursor + "\",\"position\":\"2@[0-9a-f]{8}\"}"); // what is left starts at 3 (the kept message)
    }

    @Test
    void an_expired_message_stays_expired_after_maintenance() {
        String id = publish("u", "\"1s\"");
        clock.advance(Duration.ofSeconds(2));

        server.maintainStore(clock.millis());

        assertThat(server.recipient(id, "u").getString("status")).isEqualTo("expired");
    }

    @Test
    void a_ttl_over_messages_max_ttl_is_400_invalid_request() {
        Http.Response r = server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"u\"]},\"data\":1,\"ttl\":\"2h\"}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_request");
        assertThat(r.body()).contains("messages.max-ttl");
        assertThat(server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"u\"]},\"data\":1,\"ttl\":3601}").status())
                .isEqualTo(400);
        assertThat(server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"u\"]},\"data\":1,\"ttl\":3600}").status())
                .isEqualTo(202);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"soon\"", "\"0s\"", "0", "-5", "1.5", "\"1.5s\"", "\"\"", "true", "null", "{}", "\"5 sec\"", "\"5w\""})
    void a_malformed_ttl_is_400_invalid_request(String ttl) {
        Http.Response r = server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"u\"]},\"data\":1,\"ttl\":" + ttl + "}");

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_request");
        assertThat(r.body()).contains("ttl");
    }
}
