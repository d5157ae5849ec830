package dev.herald.server.pusher;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WebhookReceiver;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pusher webhooks from a real server to a real HTTP receiver: signed with the app secret, channel_vacated about 3 s
 * after the last subscriber left, and retried through the notify pipeline when the receiver fails.
 */
class PusherWebhooksTest {
    private static final PusherSignatures SIGNATURES = new PusherSignatures("hook-key", "hook-secret-123");
    private WebhookReceiver receiver;
    private TestServer server;

    @BeforeEach
    void start() {
        receiver = new WebhookReceiver();
        server = TestServer.devMode(Map.of(Setting.PUSHER_APP_ID, "1", Setting.PUSHER_KEY, "hook-key",
                Setting.PUSHER_SECRET, "hook-secret-123", Setting.PUSHER_WEBHOOK_URL, receiver.url(),
                Setting.NOTIFY_RETRY_INITIAL, "100ms"));
    }

    @AfterEach
    void stop() {
        server.close();
        receiver.close();
    }

    private WsClient subscribed(String channel) {
        WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/app/hook-key?protocol=7"), Map.of());
        client.awaitFrame(f -> f.contains("pusher:connection_established"));
        client.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}");
        client.awaitFrame(f -> f.contains("subscription_succeeded"));
        return client;
    }

    private static JsonObject event(WebhookReceiver.Request request) {
        return new JsonObject(request.body()).getJsonArray("events").getJsonObject(0);
    }

    @Test
    void occupied_and_vacated_are_signed_with_the_app_secret_and_vacated_waits_about_three_seconds() {
        WsClient client = subscribed("hooked");
        WebhookReceiver.Request occupied = receiver.awaitRequests(1).get(0);
        assertThat(event(occupied)).isEqualTo(new JsonObject().put("name", "channel_occupied").put("channel", "hooked"));
        assertThat(occupied.header("X-Pusher-Key")).isEqualTo("hook-key");
        assertThat(SIGNATURES.verify(occupied.body(), occupied.header("X-Pusher-Signature"))).isTrue();
        assertThat(new JsonObject(occupied.body()).getLong("time_ms")).isPositive();

        long left = System.nanoTime();
        client.send("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"hooked\"}}");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> receiver.requests().size() >= 2);
        WebhookReceiver.Request vacated = receiver.requests().get(1);
        assertThat(event(vacated).getString("name")).isEqualTo("channel_vacated");
        assertThat(Duration.ofNanos(vacated.receivedNanos() - left)).isGreaterThanOrEqualTo(Duration.ofMillis(2900));
    }

    @Test
    void a_refused_webhook_is_retried() {
        receiver.answer(503);
        subscribed("retried");
        List<WebhookReceiver.Request> attempts = receiver.awaitRequests(2);
        assertThat(attempts).extracting(r -> event(r).getString("name")).containsExactly("channel_occupied", "channel_occupied");
        assertThat(attempts.get(0).body()).isEqualTo(attempts.get(1).body());
    }
}
