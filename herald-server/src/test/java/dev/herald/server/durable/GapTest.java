package dev.herald.server.durable;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * History lost to {@code messages.inbox-cap}: a client resuming from a cursor the cap has passed is
 * told with a {@code gap} frame before it gets what is left, for its inbox and for a topic.
 */
@Tag(TestServer.EVENT_LOOPS_TAG)
class GapTest {
    private static final int CAP = 3;
    private final TestServer server = TestServer.devMode(Map.of(Setting.MESSAGES_INBOX_CAP, Integer.toString(CAP)));

    @AfterEach
    void stop() {
        server.close();
    }

    private List<String> publishToUser(String uid, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add(server.publishToUser(uid, Integer.toString(i)));
        }
        return ids;
    }

    private List<String> publishToTopic(String topic, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String body = server.http().postJson("/api/v1/messages", "{\"to\":{\"topics\":[\"" + topic + "\"]},\"data\":" + i + "}").body();
            ids.add(new JsonObject(body).getString("id"));
        }
        return ids;
    }

    private void trim() {
        server.maintainStore(System.currentTimeMillis());
    }

    /** The frames after the welcome, up to and including {@code count} messages, without the positions frames. */
    private static List<String> afterWelcome(WsClient client, int messages) {
        client.awaitMessageIds(messages);
        List<String> frames = client.frames();
        assertThat(frames.get(0)).contains("\"type\":\"welcome\"");
        return frames.subList(1, frames.size()).stream().filter(f -> !f.startsWith("{\"type\":\"positions\"")).toList();
    }

    @Test
    void a_client_resuming_from_a_cursor_the_inbox_cap_passed_gets_a_gap_frame_then_what_is_left() {
        List<String> ids = publishToUser("u", 6);
        trim();

        WsClient client = server.connect("uid=u&since=" + ids.get(0));

        List<String> frames = afterWelcome(client, 3);
        assertThat(frames).hasSize(4);
        // what is left starts at position 4: the client continues from 3
        assertThat(frames.get(0)).matches("\\{\"type\":\"gap\",\"since\":\"" + ids.get(0) + "\",\"position\":\"3@[0-9a-f]{8}\"}");
        assertThat(frames.subList(1, 4).stream().map(WsClient::idOf)).containsExactlyElementsOf(ids.subList(3, 6));
    }

    @Test
    void a_login_resuming_the_broadcast_log_from_a_position_the_cap_passed_gets_a_gap_frame_that_names_the_log() {
        WsClient watcher = server.connectHerald("watcher");
        for (int i = 1; i <= 6; i++) {
            server.http().postJson("/api/v1/messages", "{\"to\":{\"all\":true},\"data\":" + i + "}");
        }
        List<String> seen = watcher.awaitMessageIds(6);
        JsonObject first = new JsonObject(watcher.frames().stream().filter(WsClient::isMessage).findFirst().orElseThrow());
        String cursor = first.getLong("pos") + "@" + first.getString("epoch");
        trim();

        WsClient client = server.connect("uid=u&sinceAll=" + cursor);

        client.awaitMessageIds(3);
        assertThat(client.framesContaining("\"type\":\"gap\"")).singleElement().asString()
                .isEqualTo("{\"type\":\"gap\",\"since\":\"" + cursor + "\",\"all\":true,\"position\":\"3@" + first.getString("epoch") + "\"}");
        assertThat(client.messageIds()).containsExactlyElementsOf(seen.subList(3, 6));
    }

    @Test
    void the_messages_the_cap_pushed_out_have_the_status_dropped() {
        List<String> ids = publishToUser("u", CAP + 1);
        trim();

        assertThat(server.recipient(ids.get(0), "u").getString("status")).isEqualTo("dropped");
        assertThat(server.recipient(ids.get(1), "u").getString("status")).isEqualTo("accepted");
    }

    @Test
    void a_cursor_within_what_the_inbox_still_holds_gets_no_gap_frame() {
        List<String> ids = publishToUser("u", 6);
        trim();

        WsClient client = server.connect("uid=u&since=" + ids.get(3));

        List<String> frames = afterWelcome(client, 2);
        assertThat(frames.stream().map(WsClient::idOf)).containsExactlyElementsOf(ids.subList(4, 6));
        assertThat(client.framesContaining("\"type\":\"gap\"")).isEmpty();
    }

    @Test
    void a_client_without_a_cursor_gets_what_is_left_without_a_gap_frame() {
        List<String> ids = publishToUser("u", 5);
        trim();

        WsClient client = server.connectHerald("u");

        assertThat(client.awaitMessageIds(3)).containsExactlyElementsOf(ids.subList(2, 5));
        assertThat(client.framesContaining("\"type\":\"gap\"")).isEmpty();
    }

    @Test
    void subscribing_with_since_replays_the_topic_messages_after_the_cursor_with_their_topic_then_live_ones() {
        List<String> ids = publishToTopic("news", 3);
        WsClient client = server.connectHerald("reader");

        client.send("{\"type\":\"subscribe\",\"topics\":[\"news\"],\"since\":\"" + ids.get(0) + "\",\"ref\":\"s\"}");

        List<String> frames = afterWelcome(client, 2);
        assertThat(frames.get(0)).isEqualTo("{\"type\":\"subscribed\",\"topics\":[\"news\"],\"ref\":\"s\"}");
        assertThat(frames.subList(1, 3).stream().map(WsClient::idOf)).containsExactlyElementsOf(ids.subList(1, 3));
        assertThat(frames.subList(1, 3)).allSatisfy(f -> assertThat(f).contains("\"topic\":\"news\""));
        String live = publishToTopic("news", 1).get(0);
        assertThat(client.awaitMessageIds(3)).containsExactly(ids.get(1), ids.get(2), live);
        assertThat(client.framesContaining("\"type\":\"gap\"")).isEmpty();
    }

    @Test
    void subscribing_with_a_cursor_the_topic_cap_passed_reports_a_gap_for_that_topic() {
        List<String> ids = publishToTopic("news", 6);
        trim();
        WsClient client = server.connectHerald("reader");

        client.send("{\"type\":\"subscribe\",\"topics\":[\"news\"],\"since\":\"" + ids.get(0) + "\"}");

        List<String> frames = afterWelcome(client, 3);
        assertThat(frames).hasSize(5);
        assertThat(frames.get(0)).startsWith("{\"type\":\"subscribed\"");
        assertThat(frames.get(1)).matches("\\{\"type\":\"gap\",\"since\":\"" + ids.get(0) + "\",\"topic\":\"news\",\"position\":\"3@[0-9a-f]{8}\"}");
        assertThat(frames.subList(2, 5).stream().map(WsClient::idOf)).containsExactlyElementsOf(ids.subList(3, 6));
    }

    @Test
    void subscribing_without_since_replays_nothing() {
        publishToTopic("news", 2);
        WsClient client = server.connectHerald("reader");

        client.send("{\"type\":\"subscribe\",\"topics\":[\"news\"]}");
        client.awaitFrame(f -> f.startsWith("{\"type\":\"subscribed\""));
        String live = publishToTopic("news", 1).get(0);

        assertThat(client.awaitMessageIds(1)).containsExactly(live);
    }
}
