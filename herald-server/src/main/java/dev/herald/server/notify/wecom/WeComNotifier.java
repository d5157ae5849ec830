package dev.herald.server.notify.wecom;

import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notification;
import dev.herald.core.notify.SendResult;
import dev.herald.server.notify.http.AddressPolicy;
import dev.herald.server.notify.http.HttpDestinations;
import dev.herald.server.notify.http.HttpNotifier;
import dev.herald.server.notify.http.HttpSendResults;
import dev.herald.server.notify.http.OutboundHttp;
import dev.herald.server.notify.http.OutboundResult.Response;
import dev.herald.server.notify.http.RobotText;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;

/**
 * The {@code wecom} channel: a WeCom (企业微信) group robot, addressed by its webhook URL
 * {@code https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<key>} (the key is the credential; there is no
 * separate secret). Posts {@code {"msgtype":"text","text":{"content":…}}}, or {@code {"msgtype":"markdown",
 * "markdown":{"content":…}}} when the notification has markdown, cut to WeCom's limits (2048 / 4096 bytes).
 *
 * <p>WeCom answers 200 with {@code {"errcode":…,"errmsg":…}}: 0 delivered; 45009 (API frequency limit, a
 * robot takes 20 messages a minute) retried after a minute, -1 (system busy) retried; any other code
 * permanent. Any http(s) URL
 * the {@link AddressPolicy} allows is accepted, not only WeCom's host: self-hosted relays exist.
 * Stateless and thread-safe.
 */
public final class WeComNotifier extends HttpNotifier {
    public static final String CHANNEL = "wecom";
    static final int MAX_TEXT_BYTES = 2048;
    static final int MAX_MARKDOWN_BYTES = 4096;
    static final int RATE_LIMITED = 45009;
    /** The robot's limit is per minute (a robot takes 20 messages a minute): trying again sooner only fails again. */
    static final Duration RATE_LIMIT_PAUSE = Duration.ofMinutes(1);

    public WeComNotifier(OutboundHttp http, AddressPolicy policy) {
        super(CHANNEL, http, policy);
    }

    @Override
    protected Request request(Notification notification, Destination destination) {
        return new Request(HttpDestinations.uri(destination), body(notification));
    }

    @Override
    protected SendResult judge(Response answer, URI url) {
        return HttpSendResults.errcodeAnswer(answer, url, "WeCom", RATE_LIMITED, RATE_LIMIT_PAUSE);
    }

    static String body(Notification n) {
        if (RobotText.hasMarkdown(n)) {
            String content = n.title().isBlank() ? n.markdown() : "**" + n.title().strip() + "**\n" + n.markdown();
            return new JsonObject().put("msgtype", "markdown")
                    .put("markdown", new JsonObject().put("content", RobotText.limitUtf8(content, MAX_MARKDOWN_BYTES))).encode();
        }
        return new JsonObject().put("msgtype", "text")
                .put("text", new JsonObject().put("content", RobotText.limitUtf8(RobotText.plain(n), MAX_TEXT_BYTES))).encode();
    }
}
