package dev.herald.core.message;

import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notifiers;

import java.time.Duration;
import java.util.List;

/**
 * The channel part of a publish request: which channels the named users get the message through,
 * explicit targets not tied to a user, an escalation when the in-app message is not acked, and how
 * the message reads outside the app.
 *
 * @param channels channels for each user in {@code to.users}; default {@code ["ws"]} (in-app only)
 * @param targets  explicit destinations (system notifications: an ops webhook, a team's robot)
 * @param fallback sent only if a user has not acked the in-app message in time, or {@code null}
 * @param content  title and bodies for channels that show text (e-mail, robots), or {@code null} for defaults
 */
public record NotifyRequest(List<String> channels, List<Destination> targets, Fallback fallback, Content content) {
    /** In-app only: the seed's behaviour, and the default. */
    public static final NotifyRequest IN_APP = new NotifyRequest(List.of(Notifiers.WS), List.of(), null, null);

    public NotifyRequest {
        channels = List.copyOf(channels);
        targets = List.copyOf(targets);
    }

    public boolean inApp() {
        return channels.contains(Notifiers.WS);
    }

    /** Whether this request creates any delivery outside the in-app channel. */
    public boolean hasOtherChannels() {
        if (!targets.isEmpty() || fallback != null) {
            return true;
        }
        for (String c : channels) { // a loop, not a stream: asked once per published message
            if (!Notifiers.WS.equals(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code "fallback":{"after":"30s","channels":["email"]}}: if a user has not acked the in-app message
     * {@code after} its publication, it goes out through {@code channels}; an ack first cancels it.
     */
    public record Fallback(Duration after, List<String> channels) {
        public Fallback {
            channels = List.copyOf(channels);
        }
    }

    /**
     * How the message reads on text channels. Every field is optional: {@code title} defaults to the
     * server's default title, {@code text} to {@code data} (its content when it is a JSON string).
     */
    public record Content(String title, String text, String html, String markdown) { }
}
