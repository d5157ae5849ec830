package dev.herald.server.durable;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Messages to a user nobody is connected as wait in the user's inbox and arrive when a client connects. */
@Tag(TestServer.EVENT_LOOPS_TAG)
class OfflineDeliveryTest {
    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void a_publish_to_an_offline_user_answers_202_queued() {
        Http.Response r = server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"away\"]},\"data\":1}");

        assertThat(r.status()).as(r.body()).isEqualTo(202);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getBoolean("queued")).isTrue();
        assertThat(body.getInteger("delivered")).isZero();
    }

    @Test
    void queued_messages_arrive_on_connect_in_publish_order_and_live_ones_follow() {
        String first = server.publishToUser("away", "{\"n\":1}");
        String second = server.publishToUser("away", "\"two\"");
        String third = server.publishToUser("away", "[3]");

        WsClient client = server.connectHerald("away");

        assertThat(client.awaitMessageIds(3)).containsExactly(first, second, third);
        assertThat(client.frames().get(0)).contains("\"type\":\"welcome\"");
        assertThat(client.frames().get(1)).endsWith("\"data\":{\"n\":1}}");
        assertThat(client.frames().get(2)).endsWith("\"data\":\"two\"}");
        Http.Response live = server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"away\"]},\"data\":4}");
        assertThat(live.status()).isEqualTo(200);
        assertThat(new JsonObject(live.body()).getInteger("delivered")).isEqualTo(1);
        String fourth = new JsonObject(live.body()).getString("id");
        assertThat(client.awaitMessageIds(4)).containsExactly(first, second, third, fourth);
    }

    @Test
    void a_seed_client_gets_the_queued_messages_as_raw_bodies_in_publish_order() {
        assertThat(server.http().get("/send?uid=7&message=Hello%20World").status()).isEqualTo(202);
        server.publishToUser("7", "{\"progress\":50}");
        assertThat(server.http().get("/send?uid=7&message=bye").status()).isEqualTo(202);

        WsClient seed = server.connectSeed("7");

        seed.awaitFrameCount(f -> true, 3);
        assertThat(seed.frames()).containsExactly("Hello World", "{\"progress\":50}", "bye");
    }

    @Test
    void messages_a_seed_client_got_are_not_sent_again_to_its_next_seed_connection() {
        String first = server.publishToUser("7", "\"one\"");
        String second = server.publishToUser("7", "\"two\"");
        WsClient seed = server.connectSeed("7");
        seed.awaitFrameCount(f -> true, 2);
        server.awaitStatus(first, "7", "delivered");
        server.awaitStatus(second, "7", "delivered");
        seed.close();
        seed.awaitClose();
        server.publishToUser("7", "\"three\"");

        WsClient again = server.connectSeed("7");

        // a replay of one or two would arrive before three (replays come first, in id order)
        assertThat(again.awaitFrame(f -> true)).isEqualTo("three");
        assertThat(again.frames()).containsExactly("three");
    }

    @Test
    void a_herald_client_without_since_gets_every_message_not_yet_acked_even_those_a_seed_client_got() {
        String first = server.publishToUser("u", "\"one\"");
        String second = server.publishToUser("u", "\"two\"");
        WsClient seed = server.connectSeed("u");
        seed.awaitFrameCount(f -> true, 2);
        server.awaitStatus(second, "u", "delivered");

        WsClient herald = server.connectHerald("u");

        assertThat(herald.awaitMessageIds(2)).containsExactly(first, second);
    }

    @Test
    void a_message_to_several_users_waits_in_each_inbox() {
        Http.Response r = server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"a\",\"b\"]},\"data\":\"both\"}");
        assertThat(r.status()).isEqualTo(202);
        String id = new JsonObject(r.body()).getString("id");

        WsClient a = server.connectHerald("a");
        WsClient b = server.connectSeed("b");

        assertThat(a.awaitMessageIds(1)).containsExactly(id);
        assertThat(b.awaitFrame(f -> true)).isEqualTo("both");
        a.awaitFrame(f -> f.startsWith("{\"type\":\"positions\""));
        assertThat(a.frames()).hasSize(3); // welcome, the message, and where the replay left the connection
        assertThat(b.frames()).hasSize(1);
    }
}
