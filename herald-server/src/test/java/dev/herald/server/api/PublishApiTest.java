package dev.herald.server.api;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /api/v1/messages and /batch: results, byte-exact data for both protocols, ids. */
class PublishApiTest {
    private static final String ULID = "[0-9A-HJKMNP-TV-Z]{26}";
    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }

    private static boolean isMessage(String frame) {
        return frame.startsWith("{\"type\":\"message\"");
    }

    private JsonObject publish(String body) {
        Http.Response r = server.http().postJson("/api/v1/messages", body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonObject result = new JsonObject(r.body());
        assertThat(result.fieldNames()).containsExactlyInAnyOrder("id", "delivered");
        assertThat(result.getString("id")).matches(ULID);
        return result;
    }

    private JsonArray publishBatch(String body) {
        Http.Response r = server.http().postJson("/api/v1/messages/batch", body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonObject result = new JsonObject(r.body());
        assertThat(result.fieldNames()).containsExactly("results");
        return result.getJsonArray("results");
    }

    @Test
    void publish_to_a_user_returns_id_and_delivered_and_the_envelope_carries_them() {
        WsClient herald = server.connectHerald("u1");

        JsonObject result = publish("{\"to\":{\"users\":[\"u1\"]},\"data\":{\"a\":1}}");

        assertThat(result.getInteger("delivered")).isEqualTo(1);
        String frame = herald.awaitFrame(PublishApiTest::isMessage);
        assertThat(frame).matches("\\{\"type\":\"message\",\"id\":\"" + result.getString("id")
                + "\",\"ts\":\\d+,\"pos\":1,\"epoch\":\"[0-9a-f]{8}\",\"data\":\\{\"a\":1\\}\\}");
    }

    @Test
    void publish_counts_every_connection_of_every_named_user() {
        WsClient a1 = server.connectHerald("a");
        WsClient a2 = server.connectHerald("a");
        WsClient b = server.connectSeed("b");

        JsonObject result = publish("{\"to\":{\"users\":[\"a\",\"b\",\"offline\"]},\"data\":\"hi\"}");

        assertThat(result.getInteger("delivered")).isEqualTo(3);
        a1.awaitFrame(PublishApiTest::isMessage);
        a2.awaitFrame(PublishApiTest::isMessage);
        assertThat(b.awaitFrame(f -> true)).isEqualTo("hi");
    }

    @Test
    void publish_to_nobody_online_is_stored_and_answers_202_queued() {
        Http.Response r = server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"ghost\"]},\"data\":1}");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getBoolean("queued")).isTrue();
        assertThat(body.getInteger("delivered")).isZero();
        assertThat(body.getString("id")).hasSize(26);
    }

    @Test
    void a_fire_and_forget_publish_to_nobody_online_is_not_an_error_and_delivers_zero() {
        JsonObject body = publish("{\"to\":{\"users\":[\"ghost\"]},\"data\":1,\"persist\":false}");
        assertThat(body.getInteger("delivered")).isZero();
        assertThat(body.containsKey("queued")).isFalse();
    }

    @Test
    void publish_to_a_topic_reaches_only_its_subscribers_with_the_topic_in_the_envelope() {
        WsClient subscriber = server.connectHerald("s");
        WsClient other = server.connectHerald("o");
        subscriber.send("{\"type\":\"subscribe\",\"topics\":[\"news\"]}");
        subscriber.awaitFrame(f -> f.contains("\"type\":\"subscribed\""));

        JsonObject result = publish("{\"to\":{\"topics\":[\"news\"]},\"data\":[1,2]}");

        assertThat(result.getInteger("delivered")).isEqualTo(1);
        assertThat(subscriber.awaitFrame(PublishApiTest::isMessage))
                .matches("\\{\"type\":\"message\",\"id\":\"" + result.getString("id") + "\",\"ts\":\\d+,\"topic\":\"news\",\"pos\":1,\"epoch\":\"[0-9a-f]{8}\",\"data\":\\[1,2\\]\\}");
        // a later direct message arrives at the other client first: the topic message was not sent to it
        publish("{\"to\":{\"users\":[\"o\"]},\"data\":\"direct\"}");
        assertThat(other.awaitFrame(PublishApiTest::isMessage)).endsWith("\"data\":\"direct\"}");
    }

    @Test
    void publish_to_all_reaches_herald_and_seed_connections() {
        WsClient herald = server.connectHerald("h");
        WsClient seed = server.connectSeed("s");

        JsonObject result = publish("{\"to\":{\"all\":true},\"data\":\"everyone\"}");

        assertThat(result.getInteger("delivered")).isEqualTo(2);
        assertThat(herald.awaitFrame(PublishApiTest::isMessage)).endsWith(",\"data\":\"everyone\"}");
        assertThat(seed.awaitFrame(f -> true)).isEqualTo("everyone");
    }

    @ParameterizedTest(name = "data {0}")
    @ValueSource(strings = {
        "{\"a\":1}",
        "{ \"spaced\" : [ 1 , 2 ] ,\n  \"kept\": true }",
        "[1,\"two\",{\"three\":3}]",
        "\"plain string\"",
        "2.50",
        "-0.0e+10",
        "12345678901234567890123456789",
        "null",
        "true",
        "\"caf\\u00e9 \\\"quoted\\\" \\n new line\"",
        "{\"nested\":{\"unicode\":\"héllo 你好 😀\",\"escaped\":\"\\ud83d\\ude00\"}}"
    })
    void data_of_any_json_type_arrives_byte_exact_inside_the_envelope(String data) {
        WsClient herald = server.connectHerald("u");

        JsonObject result = publish("{\"to\":{\"users\":[\"u\"]},\"data\":" + data + "}");

        String frame = herald.awaitFrame(PublishApiTest::isMessage);
        assertThat(frame).isEqualTo("{\"type\":\"message\",\"id\":\"" + result.getString("id") + "\",\"ts\":"
                + new JsonObject(frame).getLong("ts") + ",\"pos\":1,\"epoch\":\"" + new JsonObject(frame).getString("epoch")
                + "\",\"data\":" + data + "}");
        assertThat(new JsonObject(frame).getValue("data")).isEqualTo(new JsonObject("{\"d\":" + data + "}").getValue("d"));
    }

    @Test
    void seed_connections_get_the_string_content_for_string_data() {
        WsClient seed = server.connectSeed("s");

        publish("{\"to\":{\"users\":[\"s\"]},\"data\":\"caf\\u00e9 \\\"quoted\\\"\\nnew line 你好 😀\"}");

        assertThat(seed.awaitFrame(f -> true)).isEqualTo("café \"quoted\"\nnew line 你好 😀");
    }

    @Test
    void seed_connections_get_the_json_text_for_any_other_data() {
        WsClient seed = server.connectSeed("s");
        List<String> data = List.of("{ \"progress\" : 2.50 }", "[1, 2]", "2.50", "null", "false");

        for (String d : data) {
            publish("{\"to\":{\"users\":[\"s\"]},\"data\":" + d + "}");
        }

        seed.awaitFrameCount(f -> true, data.size());
        assertThat(seed.frames()).containsExactlyElementsOf(data);
    }

    @Test
    void batch_in_an_object_returns_one_result_per_message_and_delivers_the_valid_ones() {
        WsClient herald = server.connectHerald("u");

        JsonArray results = publishBatch("{\"messages\":["
                + "{\"to\":{\"users\":[\"u\"]},\"data\":\"first\"},"
                + "{\"to\":{\"users\":[\"u\"]}},"
                + "{\"to\":{\"topics\":[\"bad topic\"]},\"data\":1},"
                + "{\"to\":{\"users\":[\"u\"]},\"data\":{\"third\":[1,{\"deep\":true}]}},"
                + "{\"to\":{\"users\":[\"u\"]},\"data\":1,\"extra\":{\"x\":[1,2]}},"
                + "42,"
                + "{\"to\":{\"users\":[\"u\"]},\"data\":\"last\"}"
                + "]}");

        assertThat(results).hasSize(7);
        assertThat(results.getJsonObject(0).getInteger("delivered")).isEqualTo(1);
        assertThat(results.getJsonObject(1).getJsonObject("error").getString("code")).isEqualTo("invalid_request");
        assertThat(results.getJsonObject(1).getJsonObject("error").getString("message")).contains("messages[1].data is required");
        assertThat(results.getJsonObject(2).getJsonObject("error").getString("code")).isEqualTo("invalid_request");
        assertThat(results.getJsonObject(3).getInteger("delivered")).isEqualTo(1);
        assertThat(results.getJsonObject(4).getJsonObject("error").getString("message")).contains("messages[4].extra");
        assertThat(results.getJsonObject(5).getJsonObject("error").getString("message")).contains("messages[5] must be an object");
        assertThat(results.getJsonObject(6).getInteger("delivered")).isEqualTo(1);
        for (int i : new int[] {0, 3, 6}) {
            assertThat(results.getJsonObject(i).fieldNames()).containsExactlyInAnyOrder("id", "delivered");
        }
        for (int i : new int[] {1, 2, 4, 5}) {
            assertThat(results.getJsonObject(i).fieldNames()).containsExactly("error");
        }

        herald.awaitFrameCount(PublishApiTest::isMessage, 3);
        List<String> messages = herald.frames().stream().filter(PublishApiTest::isMessage).toList();
        assertThat(messages).hasSize(3);
        assertThat(messages.get(0)).contains(results.getJsonObject(0).getString("id")).endsWith("\"data\":\"first\"}");
        assertThat(messages.get(1)).contains(results.getJsonObject(3).getString("id")).endsWith("\"data\":{\"third\":[1,{\"deep\":true}]}}");
        assertThat(messages.get(2)).contains(results.getJsonObject(6).getString("id")).endsWith("\"data\":\"last\"}");
    }

    @Test
    void fire_and_forget_batch_is_delivered_in_order_with_one_result_per_message() {
        WsClient seed = server.connectSeed("s");

        JsonArray results = publishBatch("[{\"to\":{\"users\":[\"s\"]},\"data\":\"one\",\"persist\":false},"
                + "{\"to\":{\"users\":[\"nobody\"]},\"data\":1,\"persist\":false},"
                + "{\"to\":{\"users\":[\"s\"]},\"data\":2,\"persist\":false,\"channels\":[\"ws\",\"email\"]},"
                + "{\"to\":{\"users\":[\"s\"]},\"data\":{\"three\":\"\\\"quoted\\\"\"},\"persist\":false}]");

        assertThat(results).hasSize(4);
        assertThat(results.getJsonObject(0).fieldNames()).containsExactlyInAnyOrder("id", "delivered");
        assertThat(results.getJsonObject(0).getInteger("delivered")).isEqualTo(1);
        assertThat(results.getJsonObject(1).getInteger("delivered")).isZero();
        assertThat(results.getJsonObject(2).getJsonObject("error").getString("code")).isEqualTo("invalid_request");
        assertThat(results.getJsonObject(3).getInteger("delivered")).isEqualTo(1);
        assertThat(List.of(results.getJsonObject(0).getString("id"), results.getJsonObject(1).getString("id"),
                results.getJsonObject(3).getString("id"))).isSorted().allMatch(id -> id.matches(ULID));
        seed.awaitFrameCount(f -> true, 2);
        assertThat(seed.frames()).containsExactly("one", "{\"three\":\"\\\"quoted\\\"\"}");
    }

    @Test
    void batch_as_a_bare_array_works_the_same() {
        WsClient seed = server.connectSeed("s");

        JsonArray results = publishBatch("[{\"to\":{\"users\":[\"s\"]},\"data\":\"one\"},{\"data\":1},{\"to\":{\"users\":[\"s\"]},\"data\":2.50}]");

        assertThat(results).hasSize(3);
        assertThat(results.getJsonObject(0).getInteger("delivered")).isEqualTo(1);
        assertThat(results.getJsonObject(1).getJsonObject("error").getString("code")).isEqualTo("invalid_request");
        assertThat(results.getJsonObject(2).getInteger("delivered")).isEqualTo(1);
        seed.awaitFrameCount(f -> true, 2);
        assertThat(seed.frames()).containsExactly("one", "2.50");
    }

    @Test
    void empty_batch_is_an_invalid_request() {
        Http.Response r = server.http().postJson("/api/v1/messages/batch", "{\"messages\":[]}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_request");
    }

    @Test
    void ids_are_unique_and_increasing_across_single_batch_and_send() {
        server.connectSeed("u");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(publish("{\"to\":{\"users\":[\"u\"]},\"data\":" + i + "}").getString("id"));
            JsonArray batch = publishBatch("[{\"to\":{\"users\":[\"u\"]},\"data\":1},{\"to\":{\"users\":[\"u\"]},\"data\":2}]");
            batch.forEach(o -> ids.add(((JsonObject) o).getString("id")));
            ids.add(new JsonObject(server.http().get("/send?uid=u&message=m").body()).getString("id"));
        }

        assertThat(ids).hasSize(80).doesNotHaveDuplicates().isSorted();
        assertThat(ids).allMatch(id -> id.matches(ULID));
    }
}
