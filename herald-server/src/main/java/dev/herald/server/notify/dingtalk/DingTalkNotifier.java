package dev.herald.server.notify.dingtalk;

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
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The {@code dingtalk} channel: a DingTalk (钉钉) custom group robot, addressed by its webhook URL
 * {@code https://oapi.dingtalk.com/robot/send?access_token=<token>}. With the robot's "signature" security
 * setting the destination carries its secret ({@code SEC…}); each request then appends
 * {@code &timestamp=<ms>&sign=<urlencode(base64(HmacSHA256(key = secret, data = timestamp + "\n" + secret)))>}
 * as DingTalk documents it.
 *
 * <p>Posts {@code {"msgtype":"text","text":{"content":…}}}, or {@code {"msgtype":"markdown","markdown":
 * {"title":…,"text":…}}} when the notification has markdown. DingTalk answers 200 with
 * {@code {"errcode":…,"errmsg":…}}: 0 delivered; 130101 (sending too fast, 20 a minute per robot) retried
 * after a minute, -1 (system busy) retried; anything else (bad token, bad signature, missing keyword)
 * permanent. Any http(s) URL the {@link AddressPolicy} allows is accepted (self-hosted relays exist). Stateless and thread-safe.
 */
public final class DingTalkNotifier extends HttpNotifier {
    public static final String CHANNEL = "dingtalk";
    /** DingTalk refuses longer message content. */
    static final int MAX_CONTENT_BYTES = 20_000;
    static final int TOO_FAST = 130101;
    /** The robot's limit is per minute (20 messages a minute per robot): trying again sooner only fails again. */
    static final Duration RATE_LIMIT_PAUSE = Duration.ofMinutes(1);

    public DingTalkNotifier(OutboundHttp http, AddressPolicy policy) {
        super(CHANNEL, http, policy);
    }

    @Override
    protected Request request(Notification notification, Destination destination) {
        URI url = destination.hasSecret()
                ? signedUrl(destination.address(), destination.secret(), System.currentTimeMillis())
                : HttpDestinations.uri(destination);
        return new Request(url, body(notification));
    }

    @Override
    protected SendResult judge(Response answer, URI url) {
        return HttpSendResults.errcodeAnswer(answer, url, "DingTalk", TOO_FAST, RATE_LIMIT_PAUSE);
    }

    static URI signedUrl(String address, String secret, long timestampMillis) {
        String sign = URLEncoder.encode(sign(secret, timestampMillis), StandardCharsets.UTF_8);
        String separator = URI.create(address).getRawQuery() == null ? "?" : "&";
        return URI.create(address + separator + "timestamp=" + timestampMillis + "&sign=" + sign);
    }

    /** base64(HmacSHA256(key = secret, data = timestamp + "\n" + secret)), before URL encoding. */
    static String sign(String secret, long timestampMillis) {
        return HmacSha256.base64(secret.getBytes(StandardCharsets.UTF_8), (timestampMillis + "\n" + secret).getBytes(StandardCharsets.UTF_8));
    }

    static String body(Notification n) {
        if (RobotText.hasMarkdown(n)) {
            // The title only shows in the chat list and notifications, so the body repeats it as a heading.
            String title = n.title().isBlank() ? RobotText.limitChars(n.text().strip(), 64) : n.title().strip();
            String text = n.title().isBlank() || n.markdown().startsWith("#") ? n.markdown() : "#### " + title + "\n\n" + n.markdown();
            return new JsonObject().put("msgtype", "markdown").put("markdown", new JsonObject()
                    .put("title", title)
                    .put("text", RobotText.limitUtf8(text, MAX_CONTENT_BYTES))).encode();
        }
        return new JsonObject().put("msgtype", "text")
                .put("text", new JsonObject().put("content", RobotText.limitUtf8(RobotText.plain(n), MAX_CONTENT_BYTES))).encode();
    }
}
