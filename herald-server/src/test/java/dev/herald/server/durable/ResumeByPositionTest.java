package dev.herald.server.durable;

import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A client resumes a stream with the {@code pos} and {@code epoch} of the last message it saw there. */
@Tag(TestServer.EVENT_LOOPS_TAG)
class ResumeByPositionTest {
    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }


    private static List<JsonObject> messages(WsClient client, int count) {
        client.awaitFrameCount(WsClient::isMessage, count);
        return client.frames().stream().filter(WsClient::isMessage).map(JsonObject::new).toList();
    }

    private static String cursorOf(JsonObject message) {
        return message.getLong("pos") + "@" + message.getString("epoch");
    }

    @Test
    void a_login_with_an_inbox_position_and_a_broadcast_position_replays_each_stream_after_its_own() {
        WsClient first = server.connectHerald("ann");
        server.publish("{\"to\":{\"users\":[\"ann\"]},\"data\":\"d1\"}");
        server.publish("{\"to\":{\"all\":true},\"data\":\"b1\"}");
        List<JsonObject> seen = messages(first, 2);
        first.close();
        server.awaitGone("ann");
        String d2 = server.publish("{\"to\":{\"users\":[\"ann\"]},\"data\":\"d2\"}").getString("id");
        String b2 = server.publish("{\"to\":{\"all\":true},\"data\":\"b2\"}").getString("id");

        WsClient again = server.connect("uid=ann&since=" + cursorOf(seen.get(0)) + "&sinceAll=" + cursorOf(seen.get(1)));

        assertThat(again.awaitMessageIds(2)).containsExactly(d2, b2);
        List<JsonObject> replayed = messages(again, 2);
        assertThat(replayed.get(0).getLong("pos")).isEqualTo(2L);
        assertThat(replayed.get(1).getLong("pos")).isEqualTo(2L);
        assertThat(replayed.get(1).getBoolean("all")).isTrue();
        assertThat(again.framesContaining("\"type\":\"gap\"")).isEmpty();
        assertThat(again.framesContaining("\"type\":\"error\"")).isEmpty();
    }

    @Test
    void percent_encoded_positions_in_the_upgrade_query_are_decoded_for_since_and_sinceAll() {
        WsClient first = server.connectHerald("ann");
        server.publish("{\"to\":{\"users\":[\"ann\"]},\"data\":\"d1\"}");
        server.publish("{\"to\":{\"all\":true},\"data\":\"b1\"}");
        List<JsonObject> seen = messages(first, 2);
        first.close();
        server.awaitGone("ann");
        String b2 = server.publish("{\"to\":{\"all\":true},\"data\":\"b2\"}").getString("id");

        // what encodeURIComponent makes of "1@3f9a0c12"
        WsClient again = server.connect("uid=ann&since=" + cursorOf(seen.get(0)).replace("@", "%40")
                + "&sinceAll=" + cursorOf(seen.get(1)).replace("@", "%40"));

        assertThat(again.awaitMessageIds(1)).containsExactly(b2);
        assertThat(again.framesContaining("\"type\":\"error\"")).isEmpty();
    }

    @Test
    void an_inbox_position_without_sinceAll_replays_only_the_inbox() {
        WsClient first = server.connectHerald("ann");
        server.publish("{\"to\":{\"users\":[\"ann\"]},\"data\":\"d1\"}");
        JsonObject seen = messages(first, 1).get(0);
        first.close();
        server.awaitGone("ann");
        server.publish("{\"to\":{\"all\":true},\"data\":\"b1\"}");
        String d2 = server.publish("{\"to\":{\"users\":[\"ann\"]},\"data\":\"d2\"}").getString("id");

        WsClient again = server.connect("uid=ann&since=" + cursorOf(seen));

        assertThat(again.awaitMessageIds(1)).containsExactly(d2);
        String live = server.publish("{\"to\":{\"users\":[\"ann\"]},\"data\":\"d3\"}").getString("id");
        assertThat(again.awaitMessageIds(2)).containsExactly(d2, live);
    }

    @Test
    void a_position_of_another_epoch_sends_a_gap_then_the_whole_inbox() {
        String d1 = server.publishToUser("ann", "1");
        WsClient client = server.connect();

        client.send("{\"type\":\"auth\",\"uid\":\"ann\",\"since\":\"9@0badc0de\"}");

        assertThat(client.awaitMessageIds(1)).containsExactly(d1);
        List<String> frames = client.frames();
        // the new epoch's first message follows: the client continues from its beginning
        assertThat(frames.get(1)).isEqualTo("{\"type\":\"gap\",\"since\":\"9@0badc0de\",\"position\":\"0\"}");
        assertThat(frames.get(2)).contains(d1);
    }

    @Test
    void a_subscribe_with_a_topic_position_replays_that_topic_after_it() {
        WsClient first = server.connectHerald("ann");
        first.send("{\"type\":\"subscribe\",\"topics\":[\"news\"]}");
        first.awaitFrame(f -> f.contains("\"type\":\"subscribed\""));
        server.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":1}");
        JsonObject seen = messages(first, 1).get(0);
        String t2 = server.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":2}").getString("id");

        WsClient again = server.connectHerald("ann");
        again.send("{\"type\":\"subscribe\",\"topics\":[\"news\"],\"since\":\"" + cursorOf(seen) + "\"}");

        assertThat(again.awaitMessageIds(1)).containsExactly(t2);
        assertThat(new JsonObject(again.frames().stream().filter(WsClient::isMessage).findFirst().orElseThrow()).getLong("pos"))
                .isEqualTo(2L);
    }

    @Test
    void a_position_names_one_topic_and_a_bad_sinceAll_is_an_error_frame() {
        WsClient client = server.connect("uid=ann&sinceAll=yesterday");
        assertThat(client.awaitFrame(f -> f.contains("\"type\":\"error\""))).contains("\"code\":\"invalid_cursor\"").doesNotContain("yesterday");

        client.send("{\"type\":\"subscribe\",\"topics\":[\"a\",\"b\"],\"since\":\"1@abcd1234\",\"ref\":\"s\"}");

        assertThat(client.awaitFrame(f -> f.contains("\"ref\":\"s\""))).contains("\"code\":\"invalid_cursor\"");
        assertThat(server.server().hub().topicCount()).isZero();
        assertThat(client.isClosed()).isFalse();
    }
}
