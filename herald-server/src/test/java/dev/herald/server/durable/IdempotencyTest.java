package dev.herald.server.durable;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;

import static org.assertj.core.api.Assertions.assertThat;

/** A publisher that retries with the same idempotency key gets the first message back, and nobody gets it twice. */
class IdempotencyTest {
    private static final String MESSAGE = "{\"to\":{\"users\":[\"u\"]},\"data\":\"once\"}";
    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }

    private Http.Response publishWithKey(String key, String body) {
        return server.http().send(server.http().request("/api/v1/messages").header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Publishes one more message and waits for it: everything published before it has arrived by then. */
    private void flush(WsClient client) {
        String marker = server.publishToUser("u", "\"marker\"");
        client.awaitFrame(f -> f.contains(marker));
    }

    @Test
    void a_repeated_idempotency_key_header_answers_the_first_id_as_a_duplicate_and_delivers_once() {
        WsClient client = server.connectHerald("u");

        Http.Response first = publishWithKey("order-42", MESSAGE);
        Http.Response again = publishWithKey("order-42", MESSAGE);

        assertThat(first.status()).isEqualTo(200);
        assertThat(again.status()).isEqualTo(200);
        JsonObject body = new JsonObject(again.body());
        assertThat(body.getString("id")).isEqualTo(new JsonObject(first.body()).getString("id"));
        assertThat(body.getBoolean("duplicate")).isTrue();
        assertThat(body.getInteger("delivered")).isZero();
        assertThat(new JsonObject(first.body()).containsKey("duplicate")).isFalse();
        flush(client);
        assertThat(client.framesContaining("\"data\":\"once\"")).hasSize(1);
    }

    @Test
    void a_repeat_to_an_offline_user_is_a_duplicate_not_queued_again() {
        Http.Response first = publishWithKey("k", MESSAGE);
        Http.Response again = publishWithKey("k", MESSAGE);

        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(200);
        assertThat(new JsonObject(again.body()).containsKey("queued")).isFalse();
        WsClient client = server.connectHerald("u");
        flush(client);
        assertThat(client.framesContaining("\"data\":\"once\"")).hasSize(1);
    }

    @Test
    void the_idempotency_key_body_field_works_like_the_header() {
        WsClient client = server.connectHerald("u");
        String body = "{\"to\":{\"users\":[\"u\"]},\"data\":\"once\",\"idempotencyKey\":\"field-key\"}";

        String id = new JsonObject(server.http().postJson("/api/v1/messages", body).body()).getString("id");
        JsonObject again = new JsonObject(server.http().postJson("/api/v1/messages", body).body());

        assertThat(again.getString("id")).isEqualTo(id);
        assertThat(again.getBoolean("duplicate")).isTrue();
        flush(client);
        assertThat(client.framesContaining("\"data\":\"once\"")).hasSize(1);
    }

    @Test
    void the_header_and_the_body_field_share_one_key_space() {
        String id = new JsonObject(publishWithKey("shared", MESSAGE).body()).getString("id");

        JsonObject again = new JsonObject(server.http().postJson("/api/v1/messages",
                "{\"to\":{\"users\":[\"u\"]},\"data\":\"once\",\"idempotencyKey\":\"shared\"}").body());

        assertThat(again.getString("id")).isEqualTo(id);
        assertThat(again.getBoolean("duplicate")).isTrue();
    }

    @Test
    void a_key_reused_with_a_different_body_is_422_idempotency_key_reused_and_publishes_nothing() {
        WsClient client = server.connectHerald("u");
        Http.Response first = publishWithKey("order-42", MESSAGE);

        Http.Response reused = publishWithKey("order-42", "{\"to\":{\"users\":[\"u\"]},\"data\":\"something else\"}");
        Http.Response otherRecipient = publishWithKey("order-42", "{\"to\":{\"users\":[\"v\"]},\"data\":\"once\"}");
        Http.Response retry = publishWithKey("order-42", MESSAGE);

        assertThat(first.status()).isEqualTo(200);
        for (Http.Response r : new Http.Response[] {reused, otherRecipient}) {
            assertThat(r.status()).as(r.body()).isEqualTo(422);
            assertThat(r.errorCode()).isEqualTo("idempotency_key_reused");
            assertThat(r.body()).doesNotContain(new JsonObject(first.body()).getString("id"), "order-42");
        }
        assertThat(retry.status()).isEqualTo(200);
        assertThat(new JsonObject(retry.body()).getBoolean("duplicate")).isTrue();
        flush(client);
        assertThat(client.framesContaining("something else")).isEmpty();
        assertThat(client.framesContaining("\"data\":\"once\"")).hasSize(1);
    }

    @Test
    void the_same_request_is_a_duplicate_however_its_json_is_spaced_and_whether_the_key_is_a_header_or_a_field() {
        String id = new JsonObject(publishWithKey("spaced", MESSAGE).body()).getString("id");

        Http.Response spaced = publishWithKey("spaced", "{ \"data\" : \"once\", \"to\" : {\"users\" : [\"u\"]} }");
        Http.Response field = server.http().postJson("/api/v1/messages",
                "{\"to\":{\"users\":[\"u\"]},\"data\":\"once\",\"idempotencyKey\":\"spaced\"}");

        for (Http.Response r : new Http.Response[] {spaced, field}) {
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(new JsonObject(r.body()).getString("id")).isEqualTo(id);
        }
    }

    @Test
    void in_a_batch_a_reused_key_fails_only_that_item() {
        String item = "{\"to\":{\"users\":[\"u\"]},\"data\":\"once\",\"idempotencyKey\":\"batch-key\"}";
        String reuse = "{\"to\":{\"users\":[\"u\"]},\"data\":\"twice\",\"idempotencyKey\":\"batch-key\"}";

        Http.Response r = server.http().postJson("/api/v1/messages/batch", "[" + item + "," + reuse + "," + item + "]");

        assertThat(r.status()).isEqualTo(200);
        JsonArray results = new JsonObject(r.body()).getJsonArray("results");
        String id = results.getJsonObject(0).getString("id");
        assertThat(results.getJsonObject(1).getJsonObject("error").getString("code")).isEqualTo("idempotency_key_reused");
        assertThat(results.getJsonObject(2).getString("id")).isEqualTo(id);
        assertThat(results.getJsonObject(2).getBoolean("duplicate")).isTrue();
    }

    @Test
    void send_with_a_reused_key_and_another_message_is_422() {
        Http.Response first = server.http().send(server.http().request("/send?uid=u&message=one").header("Idempotency-Key", "send-key").GET());
        Http.Response other = server.http().send(server.http().request("/send?uid=u&message=two").header("Idempotency-Key", "send-key").GET());

        assertThat(first.status()).isEqualTo(202);
        assertThat(other.status()).as(other.body()).isEqualTo(422);
        assertThat(other.errorCode()).isEqualTo("idempotency_key_reused");
    }

    @Test
    void different_keys_are_different_messages() {
        String a = new JsonObject(publishWithKey("a", MESSAGE).body()).getString("id");
        String b = new JsonObject(publishWithKey("b", MESSAGE).body()).getString("id");

        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void in_a_batch_a_repeated_key_is_a_duplicate_within_the_batch_and_across_batches() {
        WsClient client = server.connectHerald("u");
        String item = "{\"to\":{\"users\":[\"u\"]},\"data\":\"once\",\"idempotencyKey\":\"batch-key\"}";
        String other = "{\"to\":{\"users\":[\"u\"]},\"data\":\"other\"}";

        Http.Response r = server.http().postJson("/api/v1/messages/batch", "[" + item + "," + other + "," + item + "]");
        Http.Response again = server.http().postJson("/api/v1/messages/batch", "[" + item + "]");

        assertThat(r.status()).isEqualTo(200);
        JsonArray results = new JsonObject(r.body()).getJsonArray("results");
        String id = results.getJsonObject(0).getString("id");
        assertThat(results.getJsonObject(0).containsKey("duplicate")).isFalse();
        assertThat(results.getJsonObject(2).getString("id")).isEqualTo(id);
        assertThat(results.getJsonObject(2).getBoolean("duplicate")).isTrue();
        JsonObject repeated = new JsonObject(again.body()).getJsonArray("results").getJsonObject(0);
        assertThat(repeated.getString("id")).isEqualTo(id);
        assertThat(repeated.getBoolean("duplicate")).isTrue();
        flush(client);
        assertThat(client.framesContaining("\"data\":\"once\"")).hasSize(1);
        assertThat(client.framesContaining("\"data\":\"other\"")).hasSize(1);
    }

    @Test
    void send_takes_the_idempotency_key_header_too() {
        WsClient seed = server.connectSeed("u");
        HttpRequest.Builder send = server.http().request("/send?uid=u&message=once").header("Idempotency-Key", "send-key").GET();

        Http.Response first = server.http().send(send);
        Http.Response again = server.http().send(send);

        assertThat(new JsonObject(again.body()).getString("id")).isEqualTo(new JsonObject(first.body()).getString("id"));
        assertThat(new JsonObject(again.body()).getBoolean("duplicate")).isTrue();
        server.publishToUser("u", "\"marker\"");
        seed.awaitFrame(f -> f.equals("marker"));
        assertThat(seed.frames()).containsExactly("once", "marker");
    }

    @Test
    void an_idempotency_key_header_that_is_too_long_or_has_control_characters_is_400_invalid_request() {
        for (String key : new String[] {"k".repeat(257), "tab\tinside"}) {
            Http.Response r = publishWithKey(key, MESSAGE);

            assertThat(r.status()).as(key).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_request");
            assertThat(r.body()).contains("Idempotency-Key");
        }
        assertThat(publishWithKey("k".repeat(256), MESSAGE).status()).isEqualTo(202);
    }

    @Test
    void an_idempotency_key_field_that_is_empty_too_long_not_a_string_or_has_control_characters_is_400_invalid_request() {
        for (String key : new String[] {"\"\"", "\"" + "k".repeat(257) + "\"", "42", "\"bell\\u0007\"", "\"line\\nbreak\""}) {
            Http.Response r = server.http().postJson("/api/v1/messages",
                    "{\"to\":{\"users\":[\"u\"]},\"data\":1,\"idempotencyKey\":" + key + "}");

            assertThat(r.status()).as(key).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_request");
            assertThat(r.body()).contains("idempotencyKey");
        }
    }

    @Test
    void an_invalid_key_in_a_batch_fails_only_that_item() {
        Http.Response r = server.http().postJson("/api/v1/messages/batch",
                "[{\"to\":{\"users\":[\"u\"]},\"data\":1,\"idempotencyKey\":\"\"},{\"to\":{\"users\":[\"u\"]},\"data\":2}]");

        JsonArray results = new JsonObject(r.body()).getJsonArray("results");
        assertThat(results.getJsonObject(0).getJsonObject("error").getString("code")).isEqualTo("invalid_request");
        assertThat(results.getJsonObject(1).getString("id")).isNotNull();
    }
}
