package dev.herald.server.notify.slack;

import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notification;
import dev.herald.core.notify.Notifier;
import dev.herald.core.notify.SendResult;
import dev.herald.server.notify.http.AddressPolicy;
import dev.herald.server.notify.http.HttpDestinations;
import dev.herald.server.notify.http.HttpSendResults;
import dev.herald.server.notify.http.OutboundHttp;
import dev.herald.server.notify.http.RedactedUrl;
import dev.herald.server.notify.http.RobotText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code slack} channel: a Slack incoming webhook ({@code https://hooks.slack.com/services/T…/B…/<secret>};
 * the whole path is the credential). Posts {@code {"text":…}} (the notification text, also Slack's
 * fallback for notifications), plus, when the notification has markdown, one {@code section} block with
 * {@code mrkdwn} text.
 *
 * <p>Slack answers 200 {@code ok} when posted, and errors as a status with a short error string in the body:
 * 400 ({@code invalid_payload}…), 403 ({@code action_prohibited}…), 404 ({@code channel_not_found},
 * {@code no_service}) permanent, the string shown in the detail; 410 ({@code channel_is_archived}) gone;
 * 429 retried after its {@code Retry-After}; 5xx retried ({@link HttpSendResults}). Any http(s) URL the
 * {@link AddressPolicy} allows is accepted (self-hosted relays exist). Stateless and thread-safe.
 */
public final class SlackNotifier implements Notifier {
    public static final String CHANNEL = "slack";
    /** Slack truncates a message's text past 40,000 characters; a section's text is limited to 3,000. */
    static final int MAX_TEXT_CHARS = 40_000;
    static final int MAX_SECTION_CHARS = 3_000;

    private final OutboundHttp http;
    private final AddressPolicy policy;

    public SlackNotifier(OutboundHttp http, AddressPolicy policy) {
        this.http = http;
        this.policy = policy;
    }

    @Override
    public String channel() {
        return CHANNEL;
    }

    @Override
    public Destination validate(Destination destination, String path) {
        return HttpDestinations.validate(destination, path, CHANNEL, policy);
    }

    @Override
    public CompletableFuture<SendResult> send(Notification notification, Destination destination) {
        URI url;
        try {
            url = HttpDestinations.uri(destination);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(SendResult.permanent("unusable slack destination", 0));
        }
        return http.postJson(url, Map.of(), body(notification), policy).thenApply(result -> HttpSendResults.of(result, url));
    }

    @Override
    public String endpointKey(Destination destination) {
        return CHANNEL + " " + RedactedUrl.key(destination.address());
    }

    static String body(Notification n) {
        JsonObject body = new JsonObject().put("text", RobotText.limitChars(RobotText.plain(n), MAX_TEXT_CHARS));
        if (RobotText.hasMarkdown(n)) {
            String mrkdwn = n.title().isBlank() ? n.markdown() : "*" + n.title().strip() + "*\n" + n.markdown();
            body.put("blocks", new JsonArray().add(new JsonObject().put("type", "section")
                    .put("text", new JsonObject().put("type", "mrkdwn").put("text", RobotText.limitChars(mrkdwn, MAX_SECTION_CHARS)))));
        }
        return body.encode();
    }
}
