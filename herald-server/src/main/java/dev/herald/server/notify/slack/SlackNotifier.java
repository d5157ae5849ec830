package dev.herald.server.notify.slack;

import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notification;
import dev.herald.server.notify.http.AddressPolicy;
import dev.herald.server.notify.http.HttpDestinations;
import dev.herald.server.notify.http.HttpNotifier;
import dev.herald.server.notify.http.HttpSendResults;
import dev.herald.server.notify.http.OutboundHttp;
import dev.herald.server.notify.http.RobotText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;


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
public final class SlackNotifier extends HttpNotifier {
    public static final String CHANNEL = "slack";
    /** Slack truncates a message's text past 40,000 characters; a section's text is limited to 3,000. */
    static final int MAX_TEXT_CHARS = 40_000;
    static final int MAX_SECTION_CHARS = 3_000;

    public SlackNotifier(OutboundHttp http, AddressPolicy policy) {
        super(CHANNEL, http, policy);
    }

    @Override
    protected Request request(Notification notification, Destination destination) {
        return new Request(HttpDestinations.uri(destination), body(notification));
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
