package dev.herald.server.ws;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Topic subscriptions over the wire, topic publishing, broadcast to all, and dedupe. */
@Tag(TestServer.EVENT_LOOPS_TAG)
class TopicsAndBroadcastTest {
    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }

    private static void subscribe(WsClient client, String... topics) {
        client.send(new JsonObject().put("type", "subscribe").put("topics", List.of(topics)).put("ref", "sub").encode());
        client.awaitFrame(f -> f.startsWith("{\"type\":\"subscribed\""));
    }

    private Http.Response publish(String json) {
        Http.Response response = server.http().postJson("/api/v1/messages", json);
        // stored messages nobody got live are queued (202); a live delivery answers 200
        assertThat(response.status()).as(response.body()).isEqualTo(delivered(response) == 0 ? 202 : 200);
        return response;
    }

    private static int delivered(Http.Response response) {
        return new JsonObject(response.body()).getInteger("delivered");
    }

    @Test
    void subscribe_and_unsubscribe_frames_are_confirmed_with_the_ref() {
        WsClient client = server.connectHerald("sub");

        client.send("{\"type\":\"subscribe\",\"topics\":[\"news\",\"sports\"],\"ref\":\"r1\"}");
        assertThat(client.awaitFrame(f -> f.contains("\"subscribed\"")))
                .isEqualTo("{\"type\":\"subscribed\",\"topics\":[\"news\",\"sports\"],\"ref\":\"r1\"}");
        assertThat(server.server().hub().topicCount()).isEqualTo(2);

        client.send("{\"type\":\"unsubscribe\",\"topics\":[\"sports\"],\"ref\":\"r2\"}");
        assertThat(client.awaitFrame(f -> f.contains("\"unsubscribed\"")))
                .isEqualTo("{\"type\":\"unsubscribed\",\"topics\":[\"sports\"],\"ref\":\"r2\"}");
        assertThat(server.server().hub().topicCount()).isEqualTo(1);
        assertThat(new JsonObject(server.http().get("/api/v1/users/sub").body())
                .getJsonArray("connections").getJsonObject(0).getJsonArray("topics").getList()).containsExactly("news");
    }

    @Test
    void a_topic_message_reaches_its_subscribers_only_with_the_topic_in_the_envelope() {
        WsClient reader1 = server.connectHerald("r1");
        WsClient reader2 = server.connectHerald("r2");
        WsClient other = server.connectHerald("r3");
        subscribe(reader1, "news");
        subscribe(reader2, "news", "weather");
        subscribe(other, "weather");

        Http.Response response = publish("{\"to\":{\"topics\":[\"news\"]},\"data\":{\"headline\":\"hi\"}}");

        assertThat(delivered(response)).isEqualTo(2);
        for (WsClient reader : List.of(reader1, reader2)) {
            JsonObject envelope = new JsonObject(reader.awaitFrame(f -> f.contains("\"type\":\"message\"")));
            assertThat(envelope.getString("topic")).isEqualTo("news");
            assertThat(envelope.getJsonObject("data").getString("headline")).isEqualTo("hi");
            assertThat(envelope.getString("id")).isEqualTo(new JsonObject(response.body()).getString("id"));
        }
        assertThat(server.http().get("/send?uid=r3&message=marker").status()).isEqualTo(200);
        other.awaitFrame(f -> f.contains("marker")); // a later message arrived, so the topic message never will
        assertThat(other.framesContaining("headline")).isEmpty();
    }

    @Test
    void after_unsubscribing_a_connection_no_longer_gets_the_topic() {
        WsClient client = server.connectHerald("leaver");
        subscribe(client, "news");
        client.send("{\"type\":\"unsubscribe\",\"topics\":[\"news\"]}");
        client.awaitFrame(f -> f.contains("\"unsubscribed\""));

        assertThat(delivered(publish("{\"to\":{\"topics\":[\"news\"]},\"data\":\"gone\"}"))).isZero();
        assertThat(server.server().hub().topicCount()).isZero();
    }

    @Test
    void a_broadcast_reaches_every_connection_of_both_protocols() {
        WsClient seed = server.connectSeed("s1");
        WsClient herald1 = server.connectHerald("h1");
        WsClient herald2 = server.connectHerald("h1");
        WsClient herald3 = server.connectHerald("h2");
        WsClient unauthenticated = server.connect();

        Http.Response response = publish("{\"to\":{\"all\":true},\"data\":\"everyone\"}");

        assertThat(delivered(response)).isEqualTo(4);
        assertThat(seed.awaitFrame(f -> true)).isEqualTo("everyone");
        for (WsClient h : List.of(herald1, herald2, herald3)) {
            JsonObject envelope = new JsonObject(h.awaitFrame(f -> f.contains("\"type\":\"message\"")));
            assertThat(envelope.getString("data")).isEqualTo("everyone");
            assertThat(envelope.containsKey("topic")).isFalse();
        }
        assertThat(unauthenticated.frames()).isEmpty();
    }

    @Test
    void a_connection_targeted_both_as_user_and_as_topic_subscriber_gets_the_message_once() {
        WsClient both = server.connectHerald("dup");
        WsClient topicOnly = server.connectHerald("other");
        subscribe(both, "news");
        subscribe(topicOnly, "news");

        Http.Response response = publish("{\"to\":{\"users\":[\"dup\"],\"topics\":[\"news\"]},\"data\":\"once\"}");

        assertThat(delivered(response)).isEqualTo(2);
        both.awaitFrame(f -> f.contains("\"once\""));
        topicOnly.awaitFrame(f -> f.contains("\"once\""));
        server.http().get("/send?uid=dup&message=marker");
        both.awaitFrame(f -> f.contains("marker")); // frames arrive in order: a duplicate would be here by now
        assertThat(both.framesContaining("\"once\"")).hasSize(1);
        assertThat(topicOnly.framesContaining("\"once\"")).hasSize(1);
    }

    @Test
    void closing_a_subscriber_drops_its_subscriptions() {
        WsClient client = server.connectHerald("closer");
        subscribe(client, "a", "b");

        client.close();

        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().hub().topicCount() == 0);
        assertThat(delivered(publish("{\"to\":{\"topics\":[\"a\",\"b\"]},\"data\":1}"))).isZero();
    }
}
