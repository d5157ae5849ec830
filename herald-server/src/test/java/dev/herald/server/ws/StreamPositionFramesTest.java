package dev.herald.server.ws;

import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Message frames name the message's position and epoch in the stream they came through, live and replayed. */
@Tag(TestServer.EVENT_LOOPS_TAG)
class StreamPositionFramesTest {
    /** A cursor before every message. */
    private static final String BEGINNING = "0".repeat(26);

    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }


    private static List<JsonObject> messages(WsClient client, int count) {
        client.awaitFrameCount(WsClient::isMessage, count);
        return client.frames().stream().filter(WsClient::isMessage).map(JsonObject::new).toList();
    }

    @Test
    void direct_messages_count_up_in_the_users_inbox_with_one_epoch() {
        WsClient ann = server.connectHerald("ann");
        WsClient bob = server.connectHerald("bob");
        server.publish("{\"to\":{\"users\":[\"ann\"]},\"data\":1}");
        server.publish("{\"to\":{\"users\":[\"ann\",\"bob\"]},\"data\":2}");

        List<JsonObject> annGot = messages(ann, 2);
        assertThat(annGot).extracting(m -> m.getLong("pos")).containsExactly(1L, 2L);
        assertThat(annGot.get(0).getString("epoch")).matches("[0-9a-f]{8}").isEqualTo(annGot.get(1).getString("epoch"));
        JsonObject bobGot = messages(bob, 1).get(0);
        assertThat(bobGot.getLong("pos")).as("bob's own inbox").isEqualTo(1L);
        assertThat(bobGot.getString("epoch")).isNotEqualTo(annGot.get(0).getString("epoch"));
        assertThat(bobGot.containsKey("all")).isFalse();
    }

    @Test
    void topic_and_broadcast_frames_name_their_own_streams_positions() {
        WsClient ann = server.connectHerald("ann");
        ann.send("{\"type\":\"subscribe\",\"topics\":[\"news\"]}");
        ann.awaitFrame(f -> f.contains("\"type\":\"subscribed\""));
        server.publish("{\"to\":{\"users\":[\"ann\"]},\"data\":\"direct\"}");
        server.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":\"topic\"}");
        server.publish("{\"to\":{\"all\":true},\"data\":\"everyone\"}");

        List<JsonObject> got = messages(ann, 3);
        assertThat(got).extracting(m -> m.getValue("data")).containsExactly("direct", "topic", "everyone");
        assertThat(got).extracting(m -> m.getLong("pos")).containsExactly(1L, 1L, 1L);
        assertThat(got).extracting(m -> m.getString("epoch")).doesNotHaveDuplicates();
        assertThat(got.get(1).getString("topic")).isEqualTo("news");
        assertThat(got.get(2).getBoolean("all")).isTrue();
        assertThat(got.get(2).containsKey("topic")).isFalse();
    }

    @Test
    void fire_and_forget_frames_have_no_position_and_raw_clients_get_the_raw_body() {
        WsClient herald = server.connectHerald("ann");
        WsClient seed = server.connectSeed("ann");
        server.publish("{\"to\":{\"users\":[\"ann\"]},\"data\":\"gone\",\"persist\":false}");
        server.publish("{\"to\":{\"users\":[\"ann\"]},\"data\":\"kept\"}");

        List<JsonObject> got = messages(herald, 2);
        assertThat(got.get(0).containsKey("pos")).isFalse();
        assertThat(got.get(0).containsKey("epoch")).isFalse();
        assertThat(got.get(1).getLong("pos")).isEqualTo(1L);
        seed.awaitFrameCount(f -> true, 2);
        assertThat(seed.frames()).containsExactly("gone", "kept");
    }

    @Test
    void replayed_frames_carry_the_same_positions_as_the_live_ones() {
        WsClient live = server.connectHerald("ann");
        live.send("{\"type\":\"subscribe\",\"topics\":[\"news\"]}");
        live.awaitFrame(f -> f.contains("\"type\":\"subscribed\""));
        server.publish("{\"to\":{\"users\":[\"ann\"]},\"data\":1}");
        server.publish("{\"to\":{\"all\":true},\"data\":2}");
        server.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":3}");
        List<JsonObject> liveGot = messages(live, 3);

        WsClient again = server.connect("uid=ann&since=" + BEGINNING);
        List<JsonObject> replayed = messages(again, 2);
        again.send("{\"type\":\"subscribe\",\"topics\":[\"news\"],\"since\":\"" + BEGINNING + "\"}");
        List<JsonObject> withTopic = messages(again, 3);

        assertThat(replayed).isEqualTo(liveGot.subList(0, 2));
        assertThat(withTopic.get(2)).isEqualTo(liveGot.get(2));
    }
}
