package dev.herald.server.ws;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A client that stops reading is closed with 4008; nobody else notices. */
@Tag(TestServer.EVENT_LOOPS_TAG)
class SlowConsumerTest {
    private static final String PAYLOAD = "p".repeat(6_000);

    private final TestServer server = TestServer.devMode(Map.of(Setting.WS_SEND_QUEUE_SIZE, "64KiB"));

    @AfterEach
    void stop() {
        server.close();
    }

    /**
     * One message of about 6KB (ten fit the 64KiB queue: with several event loops a publisher on another core may queue a
     * few before the connection's loop drains them) to both users; numbered so order can be checked.
     */
    private Http.Response publishToBoth(int n) {
        return server.http().postJson("/api/v1/messages",
                "{\"to\":{\"users\":[\"fast\",\"slow\"]},\"data\":\"n" + n + "-" + PAYLOAD + "\"}");
    }

    @Test
    void a_client_that_stops_reading_is_closed_with_4008_while_others_keep_receiving() {
        WsClient slow = server.connectHerald("slow");
        WsClient fast = server.connectHerald("fast");
        slow.stopReading();

        int published = 0;
        // kernel and Netty buffers absorb a few MB before the server's own 64KiB queue fills
        while (!server.server().hub().sessions("slow").isEmpty() && published < 5_000) {
            Http.Response response = publishToBoth(published);
            assertThat(response.status()).isEqualTo(200);
            assertThat(new JsonObject(response.body()).getInteger("delivered")).isBetween(1, 2);
            published++;
        }

        assertThat(server.server().hub().sessions("slow")).as("slow consumer still registered after %d messages", published).isEmpty();
        assertThat(server.server().stats().slowConsumerCloses.sum()).isEqualTo(1);
        assertThat(server.server().stats().dropped.sum()).isGreaterThanOrEqualTo(1);
        assertThat(server.http().get("/send?uid=slow&message=x&persist=false").status()).isEqualTo(404); // offline at once
        assertThat(publishToBoth(published).body()).contains("\"delivered\":1");
        published++;

        // the fast user got every message, in order
        int sent = published;
        fast.awaitFrameCount(f -> f.contains("\"data\":\"n"), sent);
        List<String> fastMessages = fast.framesContaining("\"data\":\"n");
        assertThat(fastMessages).hasSize(sent);
        for (int i = 0; i < sent; i++) {
            assertThat(new JsonObject(fastMessages.get(i)).getString("data")).startsWith("n" + i + "-");
        }
        assertThat(fast.isClosed()).isFalse();

        // the slow client, once it reads again, finds the 4008 close after what was already in flight
        slow.resumeReading();
        assertThat(slow.awaitClose()).isEqualTo(4008);
        assertThat(slow.framesContaining("\"data\":\"n").size()).isLessThan(sent);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().hub().connectionCount() == 1);
    }

    @Test
    void a_single_message_larger_than_the_send_queue_reaches_a_client_with_nothing_queued() {
        WsClient client = server.connectHerald("big");

        Http.Response response = server.http().postJson("/api/v1/messages",
                "{\"to\":{\"users\":[\"big\"]},\"data\":\"" + "z".repeat(70_000) + "\"}");

        assertThat(new JsonObject(response.body()).getInteger("delivered")).isEqualTo(1);
        client.awaitFrame(f -> f.contains("z".repeat(70_000)));
        assertThat(client.isClosed()).isFalse();
        assertThat(server.server().stats().slowConsumerCloses.sum()).isZero();
    }

    @Test
    void a_reading_client_under_sustained_load_is_never_closed() {
        WsClient reader = server.connectHerald("reader");

        for (int i = 0; i < 300; i++) {
            Http.Response response = server.http().postJson("/api/v1/messages",
                    "{\"to\":{\"users\":[\"reader\"]},\"data\":\"m-" + i + "-" + PAYLOAD + "\"}");
            assertThat(new JsonObject(response.body()).getInteger("delivered")).isEqualTo(1);
        }

        reader.awaitFrameCount(f -> f.contains("\"data\":\"m-"), 300);
        assertThat(reader.isClosed()).isFalse();
        assertThat(server.server().stats().slowConsumerCloses.sum()).isZero();
        assertThat(server.server().hub().sessions("reader")).hasSize(1);
    }
}
