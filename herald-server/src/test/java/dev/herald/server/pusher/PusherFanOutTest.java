package dev.herald.server.pusher;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A channel event on its way to many Pusher subscribers, through the signed HTTP API as a back-end triggers it: every
 * subscriber reads the same frame, in publish order, through Herald's bounded send queues; one that stops reading is
 * closed with 4100 and holds nobody back.
 */
@Tag(TestServer.EVENT_LOOPS_TAG)
class PusherFanOutTest {
    private static final String KEY = "test-key";
    private static final PusherSignatures SIGNATURES = new PusherSignatures(KEY, "test-secret-123");
    private static final String PAYLOAD = "p".repeat(6_000);

    private final TestServer server = TestServer.devMode(Map.of(Setting.PUSHER_APP_ID, "1", Setting.PUSHER_KEY, KEY,
            Setting.PUSHER_SECRET, "test-secret-123", Setting.WS_SEND_QUEUE_SIZE, "64KiB"));

    @AfterEach
    void stop() {
        server.close();
    }

    private WsClient subscriber(String channel) {
        WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/app/" + KEY + "?protocol=7"), Map.of());
        client.awaitFrame(f -> f.contains("pusher:connection_established"));
        client.send(new JsonObject().put("event", "pusher:subscribe").put("data", new JsonObject().put("channel", channel)).encode());
        client.awaitFrame(f -> f.contains("pusher_internal:subscription_succeeded"));
        return client;
    }

    /** A signed {@code POST /apps/1/events}, as the server SDKs send it. */
    private Http.Response trigger(String channel, String event, String data) {
        String path = "/apps/1/events";
        String body = new JsonObject().put("name", event).put("channel", channel).put("data", data).encode();
        Map<String, String> params = new TreeMap<>();
        params.put("auth_key", KEY);
        params.put("auth_timestamp", String.valueOf(System.currentTimeMillis() / 1000));
        params.put("auth_version", "1.0");
        params.put("body_md5", RequestSigning.md5(body.getBytes(StandardCharsets.UTF_8)));
        params.put("auth_signature", SIGNATURES.sign(RequestSigning.stringToSign("POST", path, params)));
        String uri = path + "?" + params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("&"));
        return server.http().postJson(uri, body);
    }

    private static List<String> events(WsClient client, String event) {
        return client.frames().stream().filter(f -> event.equals(new JsonObject(f).getString("event"))).toList();
    }

    @Test
    void every_subscriber_reads_each_channel_event_once_as_the_same_frame_in_publish_order() {
        List<WsClient> subscribers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            subscribers.add(subscriber("room"));
        }
        List<String> expected = new ArrayList<>();
        for (int n = 0; n < 50; n++) {
            String data = "{\"n\":" + n + ",\"text\":\"caf\u00e9 \u2615\"}";
            assertThat(trigger("room", "tick", data).status()).isEqualTo(200);
            expected.add(new JsonObject().put("event", "tick").put("channel", "room").put("data", data).encode());
        }

        for (WsClient subscriber : subscribers) {
            subscriber.awaitFrameCount(f -> f.contains("\"tick\""), expected.size());
            assertThat(events(subscriber, "tick")).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void a_subscriber_that_stops_reading_is_closed_with_4100_while_the_others_receive_every_event_in_order() {
        WsClient slow = subscriber("room");
        WsClient fast = subscriber("room");
        slow.stopReading();

        int published = 0;
        // kernel and Netty buffers absorb a few MB before the server's own 64KiB queue fills
        while (server.server().pusher().subscriptionCount("room") == 2 && published < 5_000) {
            assertThat(trigger("room", "tick", "n" + published + "-" + PAYLOAD).status()).isEqualTo(200);
            published++;
        }

        assertThat(server.server().pusher().subscriptionCount("room")).as("the slow subscriber left after %d events", published)
                .isEqualTo(1);
        assertThat(server.server().stats().slowConsumerCloses.sum()).isEqualTo(1);
        assertThat(trigger("room", "tick", "n" + published + "-" + PAYLOAD).status()).isEqualTo(200);
        published++;

        int sent = published;
        fast.awaitFrameCount(f -> f.contains("\"tick\""), sent);
        List<String> received = events(fast, "tick");
        assertThat(received).hasSize(sent);
        for (int i = 0; i < sent; i++) {
            assertThat(new JsonObject(received.get(i)).getString("data")).startsWith("n" + i + "-");
        }
        assertThat(fast.isClosed()).isFalse();

        // once it reads again, the slow client finds why it was closed, then the close: what waited was dropped
        slow.resumeReading();
        assertThat(slow.awaitClose()).isEqualTo(4100);
        assertThat(new JsonObject(slow.awaitFrame(f -> f.contains("pusher:error"))).getJsonObject("data").getInteger("code"))
                .isEqualTo(4100);
        assertThat(events(slow, "tick").size()).isLessThan(sent);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().pusher().openConnections() == 1);
    }

    @Test
    void a_refusal_longer_than_a_close_frame_holds_is_cut_there_and_whole_in_its_pusher_error() {
        String key = "k".repeat(200);
        WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/app/" + key + "?protocol=7"), Map.of());

        JsonObject error = new JsonObject(client.awaitFrame(f -> f.contains("pusher:error"))).getJsonObject("data");
        assertThat(error.getInteger("code")).isEqualTo(4001);
        assertThat(error.getString("message")).contains(key);
        assertThat(client.awaitClose()).isEqualTo(4001);
    }
}
