package dev.herald.server.notify.feishu;

import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notification;
import dev.herald.core.notify.SendResult;
import dev.herald.server.notify.http.AddressPolicy;
import dev.herald.server.notify.http.HmacSha256;
import dev.herald.server.notify.http.HttpDestinations;
import dev.herald.server.notify.http.HttpNotifier;
import dev.herald.server.notify.http.HttpSendResults;
import dev.herald.server.notify.http.OutboundHttp;
import dev.herald.server.notify.http.OutboundResult.Response;
import dev.herald.server.notify.http.RobotText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code feishu} channel: a Feishu / Lark (飞书) custom bot, addressed by its webhook URL
 * {@code https://open.feishu.cn/open-apis/bot/v2/hook/<token>} (the token in the path is the credential).
 * With the bot's "signature" security setting the destination carries its secret; each body then holds
 * {@code "timestamp"} (seconds, as a string) and {@code "sign"} = base64(HmacSHA256(key = timestamp + "\n"
 * + secret, data = empty)), as Feishu documents it (the key/data order is Feishu's, unlike DingTalk's).
 *
 * <p>Posts {@code {"msg_type":"text","content":{"text":…}}}, or, when the notification has markdown, an
 * interactive card with the title as header and one {@code markdown} element. Feishu answers 200 with
 * {@code {"code":…,"msg":…}} (older deployments: {@code {"StatusCode":…,"StatusMessage":…}}): 0 delivered;
 * 11232 and 9499 (rate limited) and 2200 (internal error) retried; anything else (bad signature 19021,
 * keyword 19024…) permanent.
 * Any http(s) URL the {@link AddressPolicy} allows is accepted (self-hosted relays exist). Stateless and
 * thread-safe.
 */
public final class FeishuNotifier extends HttpNotifier {
    public static final String CHANNEL = "feishu";
    /** Feishu refuses request bodies over 20 KB; this leaves room for JSON escaping and the envelope. */
    static final int MAX_CONTENT_BYTES = 16_000;
    /** Flow control (11232), too many requests (9499), and an internal error seen under load (2200). */
    static final Set<Integer> RETRYABLE = Set.of(11232, 9499, 2200);

    public FeishuNotifier(OutboundHttp http, AddressPolicy policy) {
        super(CHANNEL, http, policy);
    }

    @Override
    protected Request request(Notification notification, Destination destination) {
        URI url = HttpDestinations.uri(destination);
        JsonObject body = body(notification);
        if (destination.hasSecret()) {
            long timestamp = System.currentTimeMillis() / 1000;
            body.put("timestamp", Long.toString(timestamp)).put("sign", sign(destination.secret(), timestamp));
        }
        return new Request(url, body.encode());
    }

    /** Feishu's own order: the key is {@code timestamp + "\n" + secret}, the data empty. */
    static String sign(String secret, long timestampSeconds) {
        return HmacSha256.base64((timestampSeconds + "\n" + secret).getBytes(StandardCharsets.UTF_8), new byte[0]);
    }

    static JsonObject body(Notification n) {
        if (RobotText.hasMarkdown(n)) {
            JsonObject card = new JsonObject()
                    .put("elements", new JsonArray().add(new JsonObject().put("tag", "markdown")
                            .put("content", RobotText.limitUtf8(n.markdown(), MAX_CONTENT_BYTES))));
            if (!n.title().isBlank()) {
                card.put("header", new JsonObject().put("title",
                        new JsonObject().put("tag", "plain_text").put("content", RobotText.limitChars(n.title().strip(), 200))));
            }
            return new JsonObject().put("msg_type", "interactive").put("card", card);
        }
        return new JsonObject().put("msg_type", "text")
                .put("content", new JsonObject().put("text", RobotText.limitUtf8(RobotText.plain(n), MAX_CONTENT_BYTES)));
    }

    @Override
    protected SendResult judge(Response answer, URI url) {
        JsonObject json = HttpSendResults.json(answer);
        Object code = json == null ? null : json.containsKey("code") ? json.getValue("code") : json.getValue("StatusCode");
        if (!(code instanceof Number number)) {
            return HttpSendResults.unreadableAnswer(answer, url);
        }
        if (number.intValue() == 0) {
            return SendResult.ok(answer.status());
        }
        Object message = json.containsKey("msg") ? json.getValue("msg") : json.getValue("StatusMessage");
        String detail = "Feishu code " + number.intValue() + ": " + HttpSendResults.excerpt(Objects.toString(message, ""), url);
        return RETRYABLE.contains(number.intValue())
                ? SendResult.retry(detail, answer.status(), null)
                : SendResult.permanent(detail, answer.status());
    }
}
