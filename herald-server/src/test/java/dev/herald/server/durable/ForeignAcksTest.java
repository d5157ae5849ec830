package dev.herald.server.durable;

import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A client can only ack or read its own user's messages; other ids are ignored and counted. */
class ForeignAcksTest {
    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }

    private long acksIgnored() {
        return server.server().stats().acksIgnored.sum();
    }

    @Test
    void acking_or_reading_another_users_message_changes_nothing_and_is_counted() {
        String bobs = server.publishToUser("bob", "\"for bob\"");
        WsClient mallory = server.connectHerald("mallory");

        mallory.send("{\"type\":\"ack\",\"id\":\"" + bobs + "\"}");
        mallory.send("{\"type\":\"read\",\"ids\":[\"" + bobs + "\"]}");

        Awaitility.await().atMost(WsClient.WAIT).until(() -> acksIgnored() == 2);
        assertThat(server.recipient(bobs, "bob").getString("status")).isEqualTo("accepted");
        assertThat(server.receipt(bobs).getJsonArray("recipients")).hasSize(1);
        assertThat(server.http().get("/metrics").metric("herald_acks_ignored_total")).isEqualTo(2.0);
        WsClient bob = server.connectHerald("bob");
        assertThat(bob.awaitMessageIds(1)).containsExactly(bobs); // still unacked for bob
    }

    @Test
    void acking_an_id_no_message_has_is_ignored_and_counted() {
        WsClient client = server.connectHerald("u");

        client.send("{\"type\":\"ack\",\"id\":\"01KAYZ5J4V0000000000000000\"}");

        Awaitility.await().atMost(WsClient.WAIT).until(() -> acksIgnored() == 1);
    }

    @Test
    void in_one_ack_the_own_ids_count_and_the_foreign_ones_are_ignored() {
        String mine = server.publishToUser("u", "1");
        String theirs = server.publishToUser("other", "2");
        WsClient client = server.connectHerald("u");
        client.awaitMessageIds(1);

        client.send("{\"type\":\"ack\",\"ids\":[\"" + theirs + "\",\"" + mine + "\"]}");

        server.awaitStatus(mine, "u", "acked");
        Awaitility.await().atMost(WsClient.WAIT).until(() -> acksIgnored() == 1);
        assertThat(server.recipient(theirs, "other").getString("status")).isEqualTo("accepted");
    }

    @Test
    void acking_a_topic_message_is_ignored_since_topic_messages_have_no_per_user_status() {
        WsClient client = server.connectHerald("u");
        client.send("{\"type\":\"subscribe\",\"topics\":[\"news\"]}");
        client.awaitFrame(f -> f.startsWith("{\"type\":\"subscribed\""));
        server.http().postJson("/api/v1/messages", "{\"to\":{\"topics\":[\"news\"]},\"data\":1}");
        String id = client.awaitMessageIds(1).get(0);

        client.send("{\"type\":\"ack\",\"id\":\"" + id + "\"}");

        Awaitility.await().atMost(WsClient.WAIT).until(() -> acksIgnored() == 1);
        assertThat(server.receipt(id).getJsonArray("recipients")).isEmpty();
    }
}
