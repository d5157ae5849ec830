package dev.herald.server.durable;

import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After each replay (a login's, a subscribe's) the server says where the connection stands in each stream it read,
 * so a client resumes every stream by position from its first connection, even one it has seen no message of.
 */
@Tag(TestServer.EVENT_LOOPS_TAG)
class PositionsFrameTest {
    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }


    private static JsonObject positions(WsClient client) {
        return new JsonObject(client.awaitFrame(f -> f.startsWith("{\"type\":\"positions\"")));
    }

    @Test
    void a_login_to_streams_nobody_wrote_to_is_told_position_0_of_each() {
        WsClient client = server.connectHerald("ann");

        assertThat(positions(client).encode()).isEqualTo("{\"type\":\"positions\",\"inbox\":\"0\",\"all\":\"0\"}");
        assertThat(client.frames().get(0)).startsWith("{\"type\":\"welcome\"");
    }

    @Test
    void the_positions_frame_follows_the_replayed_messages_and_names_each_streams_head() {
        server.publish("{\"to\":{\"all\":true},\"data\":\"b1\"}");
        server.publish("{\"to\":{\"all\":true},\"data\":\"b2\"}");
        String direct = server.publishToUser("ann", "\"d1\"");

        WsClient client = server.connectHerald("ann");

        JsonObject at = positions(client);
        List<String> frames = client.frames();
        assertThat(frames.indexOf(at.encode())).as("after the replayed message").isGreaterThan(frames.indexOf(
                frames.stream().filter(f -> f.contains(direct)).findFirst().orElseThrow()));
        assertThat(at.getString("inbox")).matches("1@[0-9a-f]{8}");
        assertThat(at.getString("all")).matches("2@[0-9a-f]{8}");
        assertThat(client.messageIds()).as("broadcasts before the login are not replayed without a cursor").containsExactly(direct);
    }

    @Test
    void a_client_that_never_saw_a_broadcast_resumes_the_broadcast_log_by_the_position_it_was_given() {
        server.publish("{\"to\":{\"all\":true},\"data\":\"before\"}");
        WsClient first = server.connectHerald("ann");
        JsonObject at = positions(first);
        first.close();
        server.awaitGone("ann");
        String missed = server.publish("{\"to\":{\"all\":true},\"data\":\"while away\"}").getString("id");
        String direct = server.publishToUser("ann", "\"direct\"");

        WsClient again = server.connect("uid=ann&since=" + at.getString("inbox") + "&sinceAll=" + at.getString("all"));

        assertThat(again.awaitMessageIds(2)).containsExactlyInAnyOrder(missed, direct);
        JsonObject now = positions(again);
        assertThat(now.getString("all")).isEqualTo("2@" + at.getString("all").split("@")[1]);
        assertThat(again.framesContaining("\"type\":\"gap\"")).isEmpty();
    }

    @Test
    void cursor_0_replays_a_stream_from_its_beginning_without_a_gap() {
        String b1 = server.publish("{\"to\":{\"all\":true},\"data\":1}").getString("id");
        String d1 = server.publishToUser("ann", "1");

        WsClient client = server.connect("uid=ann&since=0&sinceAll=0");

        assertThat(client.awaitMessageIds(2)).containsExactly(d1, b1);
        positions(client);
        assertThat(client.framesContaining("\"type\":\"gap\"")).isEmpty();
        assertThat(client.framesContaining("\"type\":\"error\"")).isEmpty();
    }

    @Test
    void a_subscribe_is_followed_by_each_topics_position_and_a_topic_resumes_from_it() {
        server.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":1}");
        WsClient client = server.connectHerald("ann");
        positions(client);

        client.send("{\"type\":\"subscribe\",\"topics\":[\"news\",\"sport\"],\"ref\":\"s1\"}");

        JsonObject at = new JsonObject(client.awaitFrame(f -> f.contains("\"topics\":{")));
        assertThat(at.getString("ref")).isEqualTo("s1");
        assertThat(at.getJsonObject("topics").getString("news")).matches("1@[0-9a-f]{8}");
        assertThat(at.getJsonObject("topics").getString("sport")).isEqualTo("0");
        assertThat(client.messageIds()).as("no replay without since").isEmpty();
        client.close();
        String missed = server.publish("{\"to\":{\"topics\":[\"sport\"]},\"data\":2}").getString("id");

        WsClient again = server.connectHerald("ann");
        again.send("{\"type\":\"subscribe\",\"topics\":[\"sport\"],\"since\":\"0\"}");

        assertThat(again.awaitMessageIds(1)).containsExactly(missed);
        assertThat(again.framesContaining("\"type\":\"gap\"")).isEmpty();
    }

    @Test
    void a_login_whose_cursors_are_both_of_another_epoch_gets_one_gap_per_stream_each_naming_where_to_continue() {
        String b1 = server.publish("{\"to\":{\"all\":true},\"data\":1}").getString("id");
        String d1 = server.publishToUser("ann", "1");

        WsClient client = server.connect("uid=ann&since=9@0badc0de&sinceAll=4@0badc0de");

        assertThat(client.awaitMessageIds(2)).containsExactly(d1, b1);
        JsonObject at = positions(client);
        assertThat(client.framesContaining("\"type\":\"gap\"")).containsExactly(
                "{\"type\":\"gap\",\"since\":\"9@0badc0de\",\"position\":\"0\"}",
                "{\"type\":\"gap\",\"since\":\"4@0badc0de\",\"all\":true,\"position\":\"0\"}");
        assertThat(at.getString("inbox")).matches("1@[0-9a-f]{8}");
        assertThat(at.getString("all")).matches("1@[0-9a-f]{8}");
    }

    @Test
    void a_seed_client_gets_no_positions_frame() {
        String d1 = server.publishToUser("ann", "\"seed\"");
        WsClient seed = server.connectSeed("ann");
        WsClient herald = server.connectHerald("bob");
        positions(herald); // bob's login ran; ann's finished before it was answered

        assertThat(seed.awaitFrame(f -> true)).isEqualTo("seed");
        assertThat(seed.frames()).containsExactly("seed");
        assertThat(d1).isNotNull();
    }
}
