package dev.herald.server.notify.webhook;

import dev.herald.core.error.HeraldException;
import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notification;
import dev.herald.core.notify.SendResult.Outcome;
import dev.herald.server.notify.http.ChannelTestSupport;
import dev.herald.server.testing.ScriptedReceiver.Request;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;

import static dev.herald.server.testing.ScriptedReceiver.answer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookNotifierTest extends ChannelTestSupport {
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(KEY);

    private final WebhookNotifier notifier = new WebhookNotifier(http, LOOPBACK);

    private Destination destination(String secret) {
        return notifier.validate(new Destination("webhook", receiver.url("/hooks/herald?tenant=1"), secret), "contacts.webhook.url");
    }

    @Test
    void posts_the_notification_as_documented_json() throws Exception {
        assertThat(await(notifier.send(plain("Hello", "World"), destination(SECRET))).outcome()).isEqualTo(Outcome.OK);
        Request request = receiver.awaitRequests(1).getFirst();
        assertThat(request.uri()).isEqualTo("/hooks/herald?tenant=1");
        assertThat(request.header("content-type")).isEqualTo("application/json; charset=utf-8");
        JsonObject body = new JsonObject(request.body());
        assertThat(body.fieldNames()).containsExactly("type", "id", "messageId", "user", "timestamp", "title", "text", "data");
        assertThat(body.getString("type")).isEqualTo("notification");
        assertThat(body.getString("id")).isEqualTo("dlv_01");
        assertThat(body.getString("messageId")).isEqualTo("msg_01");
        assertThat(body.getString("user")).isEqualTo("u1");
        assertThat(body.getLong("timestamp")).isEqualTo(1_700_000_000_000L);
        assertThat(body.getString("title")).isEqualTo("Hello");
        assertThat(body.getString("text")).isEqualTo("World");
        assertThat(body.getJsonObject("data")).isEqualTo(new JsonObject().put("k", new JsonArray().add(1).add(2)));
        assertThat(request.body()).contains("\"data\":{\"k\":[1,2]}"); // verbatim, as published
    }

    @Test
    void the_signature_verifies_the_standard_webhooks_way() throws Exception {
        await(notifier.send(plain("Hi \"there\"", "line\nbreak ✓"), destination(SECRET)));
        Request request = receiver.awaitRequests(1).getFirst();
        String id = request.header("webhook-id");
        String timestamp = request.header("webhook-timestamp");
        assertThat(id).isEqualTo("dlv_01");
        assertThat(Long.parseLong(timestamp)).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
        String expected = "v1," + base64HmacSha256(KEY, id + "." + timestamp + "." + request.body());
        assertThat(request.header("webhook-signature").split(" ")).contains(expected);
    }

    @Test
    void a_retry_keeps_the_webhook_id_so_the_receiver_can_deduplicate() throws Exception {
        receiver.then(answer(503));
        Notification n = plain("T", "B");
        assertThat(await(notifier.send(n, destination(SECRET))).outcome()).isEqualTo(Outcome.RETRY);
        assertThat(await(notifier.send(n, destination(SECRET))).outcome()).isEqualTo(Outcome.OK);
        List<Request> requests = receiver.awaitRequests(2);
        assertThat(requests.get(0).header("webhook-id")).isEqualTo(requests.get(1).header("webhook-id")).isEqualTo("dlv_01");
        assertThat(requests.get(0).body()).isEqualTo(requests.get(1).body());
    }

    @Test
    void without_a_secret_the_request_is_unsigned() throws Exception {
        assertThat(await(notifier.send(plain("T", "B"), destination(null))).outcome()).isEqualTo(Outcome.OK);
        Request request = receiver.awaitRequests(1).getFirst();
        assertThat(request.header("webhook-id")).isEqualTo("dlv_01");
        assertThat(request.header("webhook-timestamp")).isNotNull();
        assertThat(request.header("webhook-signature")).isNull();
    }

    @Test
    void a_user_less_notification_posts_user_null_and_missing_data_as_null() throws Exception {
        Notification n = new Notification("d", "m", null, 1L, "t", "x", null, null, null);
        await(notifier.send(n, destination(null)));
        JsonObject body = new JsonObject(receiver.awaitRequests(1).getFirst().body());
        assertThat(body.containsKey("user")).isTrue();
        assertThat(body.getValue("user")).isNull();
        assertThat(body.getValue("data")).isNull();
    }

    @Test
    void a_short_or_malformed_secret_is_refused_without_being_echoed() {
        assertThatThrownBy(() -> destination("too-short-secret"))
                .isInstanceOf(HeraldException.class).hasMessage("contacts.webhook.secret must be at least 24 bytes");
        assertThatThrownBy(() -> destination("whsec_***not-base64***"))
                .isInstanceOf(HeraldException.class).hasMessageNotContaining("not-base64***").hasMessageContaining("not base64");
    }

    @Test
    void the_endpoint_key_tells_urls_apart_without_showing_them() {
        Destination a = new Destination("webhook", "https://example.com/h?token=aaaaaaaa", null);
        Destination b = new Destination("webhook", "https://example.com/h?token=bbbbbbbb", null);
        assertThat(notifier.endpointKey(a)).startsWith("webhook https://example.com/…#").doesNotContain("aaaaaaaa");
        assertThat(notifier.endpointKey(a)).isNotEqualTo(notifier.endpointKey(b));
    }
}
