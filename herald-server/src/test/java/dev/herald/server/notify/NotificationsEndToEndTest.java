package dev.herald.server.notify;

import dev.herald.core.JsonText;
import dev.herald.core.error.ErrorCode;
import dev.herald.server.config.Setting;
import dev.herald.server.notify.webhook.WebhookSignature;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WebhookReceiver;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The notification channels through the real server: HTTP API, SQLite store, dispatcher and the webhook
 * notifier against a real local receiver. What each part does alone is tested next to it; this proves
 * they are wired: contacts, channel deliveries in receipts, retries, dead letters, fallbacks, restarts.
 */
class NotificationsEndToEndTest {
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        open.add(resource);
        return resource;
    }

    /** Loopback targets allowed (the receivers run here), fast retries. */
    private static Map<Setting, String> fast() {
        Map<Setting, String> s = new EnumMap<>(Setting.class);
        s.put(Setting.NOTIFY_ALLOW_LOOPBACK, "true");
        s.put(Setting.NOTIFY_RETRY_INITIAL, "50ms");
        s.put(Setting.NOTIFY_RETRY_MAX, "100ms");
        s.put(Setting.NOTIFY_POLL_INTERVAL, "50ms");
        return s;
    }

    private TestServer server(Map<Setting, String> overrides) {
        return track(TestServer.devMode(overrides));
    }

    private static Http.Response put(Http http, String path, String json) {
        return http.send(http.request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static String publish(TestServer s, String body) {
        Http.Response r = s.http().postJson("/api/v1/messages", body);
        assertThat(r.status()).as(r.body()).isIn(200, 202);
        return new JsonObject(r.body()).getString("id");
    }

    private static JsonArray deliveries(TestServer s, String messageId) {
        return s.receipt(messageId).getJsonArray("deliveries");
    }

    private static JsonObject onlyDelivery(TestServer s, String messageId) {
        JsonArray d = deliveries(s, messageId);
        assertThat(d).hasSize(1);
        return d.getJsonObject(0);
    }

    private static void awaitState(TestServer s, String messageId, String state) {
        Awaitility.await().atMost(WAIT).until(() -> onlyDelivery(s, messageId).getString("state"), state::equals);
    }

    @Test
    void contacts_round_trip_and_never_show_secrets_or_tokens() {
        TestServer s = server(fast());
        String body = "{\"webhook\":{\"url\":\"http://127.0.0.1:9/hooks/crm?token=tok-in-query\",\"secret\":\"" + SECRET + "\"},"
                + "\"dingtalk\":{\"url\":\"http://127.0.0.1:9/robot/send?access_token=ding-token-123\",\"secret\":\"SECding-secret-456\"}}";

        Http.Response written = put(s.http(), "/api/v1/users/u1/contacts", body);
        Http.Response read = s.http().get("/api/v1/users/u1/contacts");

        assertThat(written.status()).as(written.body()).isEqualTo(200);
        assertThat(read.status()).isEqualTo(200);
        for (Http.Response r : List.of(written, read)) {
            assertThat(r.body()).doesNotContain(SECRET, "tok-in-query", "ding-token-123", "SECding-secret-456");
            JsonObject contacts = new JsonObject(r.body()).getJsonObject("contacts");
            assertThat(contacts.getJsonObject("webhook").getString("url")).isEqualTo("http://127.0.0.1:9/…");
            assertThat(contacts.getJsonObject("webhook").getBoolean("secret")).isTrue();
            assertThat(contacts.getJsonObject("dingtalk").getBoolean("secret")).isTrue();
        }
        assertThat(s.http().delete("/api/v1/users/u1/contacts").status()).isEqualTo(204);
        assertThat(s.http().get("/api/v1/users/u1/contacts").errorCode()).isEqualTo(ErrorCode.CONTACTS_NOT_FOUND.code());
        assertThat(s.http().delete("/api/v1/users/u1/contacts").errorCode()).isEqualTo(ErrorCode.CONTACTS_NOT_FOUND.code());
    }

    @Test
    void bad_contact_data_is_refused_with_the_field_named() {
        TestServer s = server(fast());

        assertThat(errorMessage(put(s.http(), "/api/v1/users/u1/contacts", "{\"webhook\":{\"url\":\"ftp://example.com/x\"}}")))
                .contains("webhook.url");
        assertThat(errorMessage(put(s.http(), "/api/v1/users/u1/contacts", "{\"webhook\":{\"url\":\"http://10.1.2.3/x\"}}")))
                .contains("webhook.url");
        assertThat(errorMessage(put(s.http(), "/api/v1/users/u1/contacts", "{\"webhook\":{\"url\":\"http://169.254.169.254/latest\"}}")))
                .contains("webhook.url");
        assertThat(errorMessage(put(s.http(), "/api/v1/users/u1/contacts", "{\"email\":\"ann@example.com\"}")))
                .contains("email").contains("not enabled");
        assertThat(errorMessage(put(s.http(), "/api/v1/users/u1/contacts", "{\"pager\":\"555\"}")))
                .contains("pager");
        assertThat(errorMessage(put(s.http(), "/api/v1/users/u1/contacts", "{\"webhook\":{\"link\":\"http://127.0.0.1/\"}}")))
                .contains("webhook.link");
        assertThat(s.http().get("/api/v1/users/u1/contacts").errorCode()).isEqualTo(ErrorCode.CONTACTS_NOT_FOUND.code());
    }

    @Test
    void errors_name_the_field_that_holds_the_refused_value() {
        Map<Setting, String> settings = fast();
        settings.put(Setting.EMAIL_SMTP_HOST, "127.0.0.1");
        settings.put(Setting.EMAIL_FROM, "noreply@herald.test");
        TestServer s = server(settings);
        String longUrl = JsonText.quote("https://example.com/" + "p".repeat(2048));

        assertThat(errorMessage(put(s.http(), "/api/v1/users/u1/contacts",
                "{\"webhook\":{\"url\":\"https://example.com/h\",\"secret\":\"short\"}}")))
                .startsWith("webhook.secret ").doesNotContain("webhook.url");
        assertThat(errorMessage(s.http().postJson("/api/v1/messages",
                "{\"to\":{\"webhook\":{\"url\":\"https://example.com/h\",\"secret\":\"short\"}},\"data\":1}")))
                .startsWith("to.webhook.secret ");
        assertThat(errorMessage(put(s.http(), "/api/v1/users/u1/contacts", "{\"email\":\"not-an-address\"}")))
                .startsWith("email ").doesNotContain("email.url");
        assertThat(errorMessage(put(s.http(), "/api/v1/users/u1/contacts", "{\"webhook\":{\"url\":" + longUrl + "}}")))
                .startsWith("webhook.url is longer than");
        assertThat(errorMessage(s.http().postJson("/api/v1/messages", "{\"to\":{\"webhook\":{\"url\":" + longUrl + "}},\"data\":1}")))
                .startsWith("to.webhook.url is longer than");
    }

    private static String errorMessage(Http.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo(ErrorCode.INVALID_REQUEST.code());
        return new JsonObject(r.body()).getJsonObject("error").getString("message");
    }

    @Test
    void a_users_webhook_contact_gets_the_message_signed_and_the_receipt_shows_the_attempt() {
        WebhookReceiver receiver = track(new WebhookReceiver());
        TestServer s = server(fast());
        assertThat(put(s.http(), "/api/v1/users/u1/contacts",
                "{\"webhook\":{\"url\":" + JsonText.quote(receiver.url()) + ",\"secret\":\"" + SECRET + "\"}}").status()).isEqualTo(200);

        String id = publish(s, "{\"to\":{\"users\":[\"u1\"]},\"channels\":[\"ws\",\"webhook\"],\"data\":{\"job\":7},"
                + "\"notification\":{\"title\":\"Export finished\",\"text\":\"ready\"}}");

        WebhookReceiver.Request request = receiver.awaitRequests(1).get(0);
        String webhookId = request.header("webhook-id");
        long timestamp = Long.parseLong(request.header("webhook-timestamp"));
        assertThat(request.header("webhook-signature"))
                .isEqualTo(new WebhookSignature(SECRET).sign(webhookId, timestamp, request.body()));
        JsonObject posted = new JsonObject(request.body());
        assertThat(posted.getString("messageId")).isEqualTo(id);
        assertThat(posted.getString("user")).isEqualTo("u1");
        assertThat(posted.getString("title")).isEqualTo("Export finished");
        assertThat(posted.getJsonObject("data")).isEqualTo(new JsonObject().put("job", 7));

        awaitState(s, id, "sent");
        JsonObject delivery = onlyDelivery(s, id);
        assertThat(delivery.getString("id")).isEqualTo(webhookId);
        assertThat(delivery.getString("channel")).isEqualTo("webhook");
        assertThat(delivery.getString("user")).isEqualTo("u1");
        // docs/channels.md: a user's delivery has "target": null (its address comes from the contacts)
        assertThat(delivery.containsKey("target")).as(delivery.encode()).isTrue();
        assertThat(delivery.getValue("target")).isNull();
        assertThat(delivery.getJsonArray("attempts")).hasSize(1);
        assertThat(delivery.getJsonArray("attempts").getJsonObject(0).getString("outcome")).isEqualTo("ok");
        // the in-app part is unchanged: u1 is offline, the message waits in the inbox
        assertThat(s.recipient(id, "u1").getString("status")).isEqualTo("accepted");
        assertThat(s.http().get("/metrics").body()).contains("herald_notify_sent_total{channel=\"webhook\"")
                .contains("herald_notify_in_flight{channel=\"slack\"} 0.0");
    }

    @Test
    void failures_are_retried_then_dead_lettered_and_a_dead_letter_can_be_retried_and_deleted() {
        WebhookReceiver receiver = track(new WebhookReceiver()).answer(503, 500);
        Map<Setting, String> settings = fast();
        settings.put(Setting.NOTIFY_WEBHOOK_MAX_ATTEMPTS, "2");
        TestServer s = server(settings);

        String id = publish(s, "{\"to\":{\"webhook\":{\"url\":" + JsonText.quote(receiver.url()) + "}},\"data\":\"disk full\"}");

        awaitState(s, id, "dead");
        JsonObject dead = onlyDelivery(s, id);
        assertThat(dead.getInteger("attemptCount")).isEqualTo(2);
        assertThat(dead.getString("lastError")).contains("500");
        assertThat(dead.getJsonArray("attempts").stream().map(a -> ((JsonObject) a).getInteger("status"))).containsExactly(503, 500);
        assertThat(dead.getString("target")).isEqualTo("http://127.0.0.1:" + receiver.url().split(":")[2].split("/")[0] + "/…");

        JsonObject page = new JsonObject(s.http().get("/api/v1/dead-letters?channel=webhook").body());
        assertThat(page.getJsonArray("deadLetters")).hasSize(1);
        String deadId = page.getJsonArray("deadLetters").getJsonObject(0).getString("id");
        assertThat(new JsonObject(s.http().get("/api/v1/dead-letters/" + deadId).body()).getString("messageId")).isEqualTo(id);
        assertThat(new JsonObject(s.http().get("/api/v1/dead-letters?channel=email").body()).getJsonArray("deadLetters")).isEmpty();

        Http.Response retried = s.http().send(s.http().request("/api/v1/dead-letters/" + deadId + "/retry")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(retried.status()).as(retried.body()).isEqualTo(202);
        awaitState(s, id, "sent");
        assertThat(receiver.requests()).hasSize(3);
        // the retry renews the budget (attemptCount) but the attempts go on numbering
        assertThat(onlyDelivery(s, id).getJsonArray("attempts").stream().map(a -> ((JsonObject) a).getInteger("number")))
                .containsExactly(1, 2, 3);
        assertThat(onlyDelivery(s, id).getInteger("attemptCount")).isEqualTo(1);
        assertThat(receiver.requests().stream().map(r -> r.header("webhook-id")).distinct()).containsExactly(deadId);
        assertThat(s.http().get("/api/v1/dead-letters/" + deadId).errorCode()).isEqualTo(ErrorCode.DEAD_LETTER_NOT_FOUND.code());
        assertThat(s.http().delete("/api/v1/dead-letters/" + deadId).errorCode()).isEqualTo(ErrorCode.DEAD_LETTER_NOT_FOUND.code());
    }

    @Test
    void a_permanent_refusal_is_not_retried_and_a_dead_letter_can_be_deleted() {
        WebhookReceiver receiver = track(new WebhookReceiver()).answer(400);
        TestServer s = server(fast());

        String id = publish(s, "{\"to\":{\"webhook\":{\"url\":" + JsonText.quote(receiver.url()) + "}},\"data\":1}");

        awaitState(s, id, "dead");
        assertThat(onlyDelivery(s, id).getInteger("attemptCount")).isEqualTo(1);
        assertThat(receiver.requests()).hasSize(1);
        String deadId = onlyDelivery(s, id).getString("id");
        assertThat(s.http().delete("/api/v1/dead-letters/" + deadId).status()).isEqualTo(204);
        assertThat(deliveries(s, id)).isEmpty();
    }

    @Test
    void a_fallback_fires_when_the_user_does_not_ack_in_time() {
        WebhookReceiver receiver = track(new WebhookReceiver());
        TestServer s = server(fast());
        put(s.http(), "/api/v1/users/u1/contacts", "{\"webhook\":{\"url\":" + JsonText.quote(receiver.url()) + "}}");
        WsClient client = s.connectHerald("u1");
        open.add(client::close);

        String id = publish(s, "{\"to\":{\"users\":[\"u1\"]},\"data\":\"approve?\",\"fallback\":{\"after\":\"300ms\",\"channels\":[\"webhook\"]}}");

        client.awaitMessageIds(1);
        assertThat(onlyDelivery(s, id).getString("state")).isIn("waiting_ack", "sent");
        assertThat(new JsonObject(receiver.awaitRequests(1).get(0).body()).getString("messageId")).isEqualTo(id);
        awaitState(s, id, "sent");
    }

    @Test
    void an_ack_cancels_the_fallback_and_nothing_is_sent() {
        WebhookReceiver receiver = track(new WebhookReceiver());
        TestServer s = server(fast());
        put(s.http(), "/api/v1/users/u1/contacts", "{\"webhook\":{\"url\":" + JsonText.quote(receiver.url()) + "}}");
        WsClient client = s.connectHerald("u1");
        open.add(client::close);

        String id = publish(s, "{\"to\":{\"users\":[\"u1\"]},\"data\":\"approve?\",\"fallback\":{\"after\":\"1s\",\"channels\":[\"webhook\"]}}");
        client.awaitMessageIds(1);
        client.send("{\"type\":\"ack\",\"id\":\"" + id + "\"}");

        s.awaitStatus(id, "u1", "acked");
        awaitState(s, id, "cancelled");
        // past the fallback's time, still nothing went out
        Awaitility.await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> receiver.requests().isEmpty());
        assertThat(onlyDelivery(s, id).getJsonArray("attempts")).isEmpty();
    }

    @Test
    void pending_retries_survive_a_restart() {
        WebhookReceiver receiver = track(new WebhookReceiver()).answer(503);
        Map<Setting, String> settings = fast();
        settings.put(Setting.NOTIFY_RETRY_INITIAL, "2s"); // the retry is due after the restart
        settings.put(Setting.NOTIFY_RETRY_MAX, "2s");
        TestServer first = TestServer.devMode(settings);
        String dataDir = first.server().config().dataDir().toString();
        String id = publish(first, "{\"to\":{\"webhook\":{\"url\":" + JsonText.quote(receiver.url()) + "}},\"data\":\"x\"}");
        receiver.awaitRequests(1);
        Awaitility.await().atMost(WAIT).until(() -> onlyDelivery(first, id).getInteger("attemptCount") == 1);
        first.close();

        settings.put(Setting.DATA_DIR, dataDir);
        TestServer second = server(settings);

        awaitState(second, id, "sent");
        assertThat(receiver.requests()).hasSize(2);
        assertThat(onlyDelivery(second, id).getInteger("attemptCount")).isEqualTo(2);
    }

    @Test
    void an_endpoint_that_is_gone_disables_the_users_contact_until_it_is_written_again() {
        WebhookReceiver receiver = track(new WebhookReceiver()).answer(410);
        TestServer s = server(fast());
        String contact = "{\"webhook\":{\"url\":" + JsonText.quote(receiver.url()) + "}}";
        put(s.http(), "/api/v1/users/u1/contacts", contact);

        String first = publish(s, "{\"to\":{\"users\":[\"u1\"]},\"channels\":[\"webhook\"],\"data\":1}");
        awaitState(s, first, "dead");
        assertThat(new JsonObject(s.http().get("/api/v1/users/u1/contacts").body())
                .getJsonObject("contacts").getJsonObject("webhook").getString("disabled")).contains("410");

        String second = publish(s, "{\"to\":{\"users\":[\"u1\"]},\"channels\":[\"webhook\"],\"data\":2}");
        awaitState(s, second, "dead");
        assertThat(onlyDelivery(s, second).getString("lastError")).contains("disabled");
        assertThat(receiver.requests()).hasSize(1); // the disabled endpoint was not called again

        put(s.http(), "/api/v1/users/u1/contacts", contact); // written again: enabled
        String third = publish(s, "{\"to\":{\"users\":[\"u1\"]},\"channels\":[\"webhook\"],\"data\":3}");
        awaitState(s, third, "sent");
    }

    @Test
    void a_waiting_fallback_survives_a_restart_and_fires_after_it() {
        WebhookReceiver receiver = track(new WebhookReceiver());
        Map<Setting, String> settings = fast();
        TestServer first = TestServer.devMode(settings);
        String dataDir = first.server().config().dataDir().toString();
        put(first.http(), "/api/v1/users/u1/contacts", "{\"webhook\":{\"url\":" + JsonText.quote(receiver.url()) + "}}");
        String id = publish(first, "{\"to\":{\"users\":[\"u1\"]},\"data\":\"approve?\",\"fallback\":{\"after\":\"2s\",\"channels\":[\"webhook\"]}}");
        assertThat(onlyDelivery(first, id).getString("state")).isEqualTo("waiting_ack");
        first.close();
        assertThat(receiver.requests()).isEmpty();

        settings.put(Setting.DATA_DIR, dataDir);
        TestServer second = server(settings);

        awaitState(second, id, "sent");
        assertThat(new JsonObject(receiver.awaitRequests(1).get(0).body()).getString("messageId")).isEqualTo(id);
    }

    @Test
    void channel_requests_that_cannot_work_are_refused_before_anything_is_stored() {
        TestServer s = server(fast());

        assertThat(publishError(s, "{\"to\":{\"users\":[\"u1\"]},\"channels\":[\"pager\"],\"data\":1}")).contains("pager").contains("not enabled");
        assertThat(publishError(s, "{\"to\":{\"users\":[\"u1\"]},\"channels\":[\"webhook\"],\"data\":1,\"persist\":false}")).contains("persist");
        assertThat(publishError(s, "{\"to\":{\"topics\":[\"t\"]},\"channels\":[\"webhook\"],\"data\":1}")).contains("to.users");
        assertThat(publishError(s, "{\"to\":{\"users\":[\"u1\"]},\"channels\":[\"webhook\"],\"data\":1,\"fallback\":{\"after\":\"1s\",\"channels\":[\"slack\"]}}"))
                .contains("fallback");
        assertThat(publishError(s, "{\"to\":{\"webhook\":{\"url\":\"http://192.168.1.10/hook\"}},\"data\":1}")).contains("to.webhook");
        assertThat(publishError(s, "{\"to\":{\"slack\":{\"url\":\"gopher://x\"}},\"data\":1}")).contains("to.slack");
        assertThat(new JsonObject(s.http().get("/api/v1/dead-letters").body()).getJsonArray("deadLetters")).isEmpty();
    }

    private static String publishError(TestServer s, String body) {
        return errorMessage(s.http().postJson("/api/v1/messages", body));
    }

    @Test
    void the_enabled_channels_are_listed() {
        TestServer s = server(fast());

        JsonArray channels = new JsonObject(s.http().get("/api/v1/channels").body()).getJsonArray("channels");

        assertThat(channels.getList()).containsExactly("ws", "webhook", "wecom", "dingtalk", "feishu", "slack");
    }
}
