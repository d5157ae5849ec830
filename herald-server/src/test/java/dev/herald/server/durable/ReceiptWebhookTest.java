package dev.herald.server.durable;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WebhookReceiver;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code receipts.webhook-url}: status changes are POSTed to the business back-end, signed per
 * standardwebhooks.com, retried on 5xx with the same {@code webhook-id}, not retried on other 4xx; a batch
 * that keeps failing ends as a dead letter of the {@code receipt-webhook} channel, like any channel delivery.
 */
class ReceiptWebhookTest {
    private final byte[] key = new byte[32];
    private final String secret;
    private final WebhookReceiver receiver = new WebhookReceiver();
    private TestServer server;

    ReceiptWebhookTest() {
        new SecureRandom().nextBytes(key);
        secret = "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        receiver.close();
    }

    private void start() {
        start(Map.of());
    }

    private void start(Map<Setting, String> more) {
        Map<Setting, String> settings = new EnumMap<>(Setting.class);
        settings.put(Setting.RECEIPTS_WEBHOOK_URL, receiver.url());
        settings.put(Setting.RECEIPTS_WEBHOOK_SECRET, secret);
        settings.putAll(more);
        server = TestServer.devMode(settings);
    }

    /** The signature computed here from the spec, independently of Herald's WebhookSignature. */
    private String expectedSignature(String id, String timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void assertSigned(WebhookReceiver.Request request) {
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/hooks/receipts");
        assertThat(request.header("Content-Type")).startsWith("application/json");
        String id = request.header("webhook-id");
        String timestamp = request.header("webhook-timestamp");
        assertThat(id).isNotBlank();
        assertThat(Long.parseLong(timestamp)).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(300L));
        assertThat(request.header("webhook-signature").split(" ")).contains(expectedSignature(id, timestamp, request.body()));
    }

    /** Every {@code {"id","user","status","at"}} entry of the requests, in order. */
    private static List<JsonObject> receipts(List<WebhookReceiver.Request> requests) {
        List<JsonObject> all = new ArrayList<>();
        for (WebhookReceiver.Request r : requests) {
            JsonObject body = new JsonObject(r.body());
            assertThat(body.getString("type")).isEqualTo("receipts");
            JsonArray receipts = body.getJsonArray("receipts");
            for (int i = 0; i < receipts.size(); i++) {
                all.add(receipts.getJsonObject(i));
            }
        }
        return all;
    }

    private List<String> statusesPosted(String messageId) {
        return receipts(receiver.requests()).stream().filter(r -> r.getString("id").equals(messageId))
                .map(r -> r.getString("status")).toList();
    }

    @Test
    void delivered_acked_and_read_are_posted_signed_the_standard_webhooks_way() {
        start();
        WsClient client = server.connectHerald("u");
        String id = server.publishToUser("u", "1");
        client.awaitMessageIds(1);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> statusesPosted(id).contains("delivered"));

        client.send("{\"type\":\"ack\",\"id\":\"" + id + "\"}");
        Awaitility.await().atMost(WsClient.WAIT).until(() -> statusesPosted(id).contains("acked"));
        client.send("{\"type\":\"read\",\"id\":\"" + id + "\"}");
        Awaitility.await().atMost(WsClient.WAIT).until(() -> statusesPosted(id).contains("read"));

        assertThat(statusesPosted(id)).containsExactly("delivered", "acked", "read");
        receiver.requests().forEach(this::assertSigned);
        JsonObject delivered = receipts(receiver.requests()).get(0);
        assertThat(delivered.getString("user")).isEqualTo("u");
        assertThat(delivered.getLong("at")).isEqualTo(server.recipient(id, "u").getLong("deliveredAt"));
    }

    @Test
    void a_receiver_answering_500_gets_the_same_request_again_with_the_same_webhook_id() {
        receiver.answer(500);
        start();
        WsClient client = server.connectHerald("u");
        String id = server.publishToUser("u", "1");
        client.awaitMessageIds(1);

        List<WebhookReceiver.Request> requests = receiver.awaitRequests(2);

        assertThat(requests.get(1).header("webhook-id")).isEqualTo(requests.get(0).header("webhook-id"));
        assertThat(requests.get(1).body()).isEqualTo(requests.get(0).body());
        requests.forEach(this::assertSigned);
        assertThat(statusesPosted(id)).containsExactly("delivered", "delivered");
    }

    @Test
    void a_receiver_answering_400_is_not_asked_again_for_those_receipts() {
        receiver.answer(400);
        start();
        WsClient client = server.connectHerald("u");
        String id = server.publishToUser("u", "1");
        client.awaitMessageIds(1);
        String refused = receiver.awaitRequests(1).get(0).header("webhook-id");

        // a 400 is permanent: the refused batch is a dead letter at once, never sent again
        Awaitility.await().atMost(WsClient.WAIT).until(this::receiptDeadLetters, l -> l.size() == 1);
        assertThat(receiptDeadLetters().get(0).getString("id")).isEqualTo(refused);
        client.send("{\"type\":\"ack\",\"id\":\"" + id + "\"}");
        Awaitility.await().atMost(WsClient.WAIT).until(() -> statusesPosted(id).contains("acked"));

        assertThat(receiver.requests()).hasSize(2);
        assertThat(receiver.requests().get(1).header("webhook-id")).isNotEqualTo(refused);
        assertThat(statusesPosted(id)).containsExactly("delivered", "acked");
    }

    @Test
    void a_message_to_an_offline_user_is_posted_when_its_replay_delivers_it() {
        start();
        String id = server.publishToUser("u", "1");

        server.connectHerald("u").awaitMessageIds(1);

        Awaitility.await().atMost(WsClient.WAIT).until(() -> statusesPosted(id).contains("delivered"));
    }

    @Test
    void a_receiver_that_keeps_failing_is_retried_by_the_notify_policy_then_dead_lettered_and_retried_from_there() {
        receiver.answer(503, 503, 503);
        start(Map.of(Setting.NOTIFY_MAX_ATTEMPTS, "3", Setting.NOTIFY_RETRY_INITIAL, "300ms", Setting.NOTIFY_RETRY_MAX, "10m",
                Setting.NOTIFY_POLL_INTERVAL, "50ms"));
        WsClient client = server.connectHerald("u");
        String id = server.publishToUser("u", "1");
        client.awaitMessageIds(1);

        JsonObject dead = Awaitility.await().atMost(WsClient.WAIT).until(this::receiptDeadLetters, l -> l.size() == 1).get(0);

        // notify.max-attempts (3), not a retry loop of the receipt webhook's own: three requests, then a dead letter
        List<WebhookReceiver.Request> attempts = receiver.requests();
        assertThat(attempts).hasSize(3);
        attempts.forEach(this::assertSigned);
        assertThat(attempts).extracting(r -> r.header("webhook-id")).containsOnly(dead.getString("id"));
        assertThat(attempts).extracting(WebhookReceiver.Request::body).containsOnly(attempts.get(0).body());
        // notify.retry-initial 300ms doubling, with equal jitter: at least 150 ms, then at least 300 ms apart
        assertThat(attempts.get(1).receivedNanos() - attempts.get(0).receivedNanos()).isGreaterThanOrEqualTo(150_000_000L);
        assertThat(attempts.get(2).receivedNanos() - attempts.get(1).receivedNanos()).isGreaterThanOrEqualTo(300_000_000L);
        assertThat(dead.getString("channel")).isEqualTo("receipt-webhook");
        assertThat(dead.getString("state")).isEqualTo("dead");
        assertThat(dead.getString("lastError")).startsWith("HTTP 503").contains("gave up after 3 attempts");
        assertThat(dead.getJsonArray("attempts")).hasSize(3);
        assertThat(server.http().get("/metrics").body()).containsPattern("herald_notify_dead_total\\{channel=\"receipt-webhook\"[^}]*} 1\\.0");

        Http.Response retried = server.http().send(server.http().request("/api/v1/dead-letters/" + dead.getString("id") + "/retry")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(retried.status()).as(retried.body()).isEqualTo(202);
        List<WebhookReceiver.Request> all = receiver.awaitRequests(4);
        assertThat(all.get(3).header("webhook-id")).isEqualTo(dead.getString("id"));
        assertThat(all.get(3).body()).isEqualTo(attempts.get(0).body());
        assertThat(statusesPosted(id)).containsExactly("delivered", "delivered", "delivered", "delivered");
        Awaitility.await().atMost(WsClient.WAIT).until(() -> receiptDeadLetters().isEmpty());
    }

    @Test
    void a_batch_still_to_be_retried_is_sent_by_the_next_start_with_the_same_webhook_id() {
        receiver.answer(503);
        // the retry falls due after the restart; the stop waits for the first attempt to be recorded
        start(Map.of(Setting.NOTIFY_RETRY_INITIAL, "2s", Setting.NOTIFY_RETRY_MAX, "2s"));
        String dataDir = server.server().config().dataDir().toString();
        WsClient client = server.connectHerald("u");
        String id = server.publishToUser("u", "1");
        client.awaitMessageIds(1);
        WebhookReceiver.Request refused = receiver.awaitRequests(1).get(0);
        server.close();

        start(Map.of(Setting.DATA_DIR, dataDir));

        WebhookReceiver.Request again = receiver.awaitRequests(2).get(1);
        assertThat(again.header("webhook-id")).isEqualTo(refused.header("webhook-id"));
        assertThat(again.body()).isEqualTo(refused.body());
        assertSigned(again);
        assertThat(statusesPosted(id)).containsExactly("delivered", "delivered");
    }

    @Test
    void the_receipt_channel_is_not_one_publishers_can_name() {
        start();

        assertThat(new JsonObject(server.http().get("/api/v1/channels").body()).getJsonArray("channels")).doesNotContain("receipt-webhook");
        Http.Response refused = server.http().postJson("/api/v1/messages",
                "{\"to\":{\"users\":[\"u\"]},\"channels\":[\"ws\",\"receipt-webhook\"],\"data\":1}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.errorCode()).isEqualTo("invalid_request");
    }

    private List<JsonObject> receiptDeadLetters() {
        JsonArray page = new JsonObject(server.http().get("/api/v1/dead-letters?channel=receipt-webhook").body()).getJsonArray("deadLetters");
        List<JsonObject> out = new ArrayList<>();
        page.forEach(o -> out.add((JsonObject) o));
        return out;
    }
}
