package dev.herald.client;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One message to publish: who gets it, its data, and through which channels. Immutable; build with the
 * static factories and {@link #text}/{@link #json}:
 * <pre>{@code
 * Publish.toUsers("123").text("Your export is ready");
 * Publish.toTopics("orders").json("{\"orderId\":42}");
 * Publish.toEveryone().json("{\"maintenance\":\"22:00\"}");
 * Publish.toUsers("42").channels("ws", "email").notification("Export finished", "Your export #7 is ready.").json("{\"job\":7}");
 * Publish.toUsers("42").fallback(Duration.ofSeconds(30), "email", "dingtalk").text("Approve invoice 991?");
 * Publish.toTargets(Target.webhook("https://ops.example.com/alerts", secret)).andEmail("oncall@example.com").text("disk almost full");
 * }</pre>
 *
 * @param channels     how the users of {@code users} get it; empty: the server's default, in-app ({@code ws}) only
 * @param fallback     channels to escalate to when a user has not acked in time, or {@code null}
 * @param notification title and text for e-mail and robots, or {@code null} (the server derives them from the data)
 * @param targets      explicit destinations that are not a user's (an operations webhook, a team's robot)
 */
public record Publish(List<String> users, List<String> topics, boolean all, String dataJson,
                      boolean persist, Duration ttl, String idempotencyKey,
                      List<String> channels, Fallback fallback, Notification notification, List<Target> targets) {
    public Publish {
        users = List.copyOf(users);
        topics = List.copyOf(topics);
        channels = List.copyOf(channels);
        targets = List.copyOf(targets);
    }

    public Publish(List<String> users, List<String> topics, boolean all, String dataJson,
                   boolean persist, Duration ttl, String idempotencyKey) {
        this(users, topics, all, dataJson, persist, ttl, idempotencyKey, List.of(), null, null, List.of());
    }

    public Publish(List<String> users, List<String> topics, boolean all, String dataJson) {
        this(users, topics, all, dataJson, true, null, null);
    }

    /**
     * Escalation when nobody acks: after {@code after}, users who have not acked the in-app message get it
     * through {@code channels} (never {@code ws}); an ack before that cancels it.
     */
    public record Fallback(Duration after, List<String> channels) {
        public Fallback {
            Objects.requireNonNull(after, "after");
            if (after.isNegative() || after.isZero()) {
                throw new IllegalArgumentException("fallback after must be positive");
            }
            channels = List.copyOf(channels);
            if (channels.isEmpty()) {
                throw new IllegalArgumentException("a fallback needs at least one channel, e.g. \"email\"");
            }
        }
    }

    /**
     * Fire-and-forget: not stored, only connections open right now get it (typing indicators,
     * progress ticks). Messages are stored by default; other channels, targets and fallbacks need that.
     */
    public Publish notPersisted() {
        return new Publish(users, topics, all, dataJson, false, ttl, idempotencyKey, channels, fallback, notification, targets);
    }

    /** How long a stored message waits for offline recipients (server default: 24 h). */
    public Publish ttl(Duration ttl) {
        return new Publish(users, topics, all, dataJson, persist, Objects.requireNonNull(ttl, "ttl"), idempotencyKey,
                channels, fallback, notification, targets);
    }

    /** A key naming this notification: a retry with the same key is not delivered twice. */
    public Publish idempotencyKey(String key) {
        return new Publish(users, topics, all, dataJson, persist, ttl, Objects.requireNonNull(key, "key"),
                channels, fallback, notification, targets);
    }

    /**
     * How the users get it, e.g. {@code channels("ws", "email")}; each user's address is read from their
     * {@link Contacts}. Leaving {@code ws} out sends only through the other channels (not to the inbox).
     */
    public Publish channels(String... channels) {
        return new Publish(users, topics, all, dataJson, persist, ttl, idempotencyKey,
                List.of(channels), fallback, notification, targets);
    }

    /** Sends through {@code channels} to the users who have not acked within {@code after}. */
    public Publish fallback(Duration after, String... channels) {
        return new Publish(users, topics, all, dataJson, persist, ttl, idempotencyKey,
                this.channels, new Fallback(after, List.of(channels)), notification, targets);
    }

    /** Title and plain text for e-mail and robots. */
    public Publish notification(String title, String text) {
        return notification(Notification.of(title, text));
    }

    /** Title, text, and optionally HTML (e-mail) and Markdown (robots). */
    public Publish notification(Notification notification) {
        return new Publish(users, topics, all, dataJson, persist, ttl, idempotencyKey,
                channels, fallback, Objects.requireNonNull(notification, "notification"), targets);
    }

    public static Publish toUsers(String... users) {
        return new Publish(List.of(users), List.of(), false, null);
    }

    public static Publish toUsers(List<String> users) {
        return new Publish(users, List.of(), false, null);
    }

    public static Publish toTopics(String... topics) {
        return new Publish(List.of(), List.of(topics), false, null);
    }

    public static Publish toEveryone() {
        return new Publish(List.of(), List.of(), true, null);
    }

    /** To explicit destinations only (at most 20 per message), e.g. {@code toTargets(Target.webhook(url, secret))}. */
    public static Publish toTargets(Target... targets) {
        return new Publish(List.of(), List.of(), false, null).andTargets(targets);
    }

    /** Also send to these topics. */
    public Publish andTopics(String... more) {
        return new Publish(users, concat(topics, more), all, dataJson, persist, ttl, idempotencyKey,
                channels, fallback, notification, targets);
    }

    /** Also send to these explicit destinations. */
    public Publish andTargets(Target... more) {
        return new Publish(users, topics, all, dataJson, persist, ttl, idempotencyKey,
                channels, fallback, notification, concat(targets, more));
    }

    /** Also send to this destination of {@code channel} ({@code webhook} or a robot); {@code secret} may be {@code null}. */
    public Publish andTarget(String channel, String url, String secret) {
        return andTargets(new Target(channel, url, secret));
    }

    /** Also send to this e-mail address. */
    public Publish andEmail(String address) {
        return andTargets(Target.email(address));
    }

    /** Data as a JSON string; seed-protocol connections receive exactly {@code text}. */
    public Publish text(String text) {
        return json(Json.quote(Objects.requireNonNull(text, "text")));
    }

    /** Data as JSON text (object, array, number…), passed through byte for byte. Herald validates it. */
    public Publish json(String json) {
        return new Publish(users, topics, all, Objects.requireNonNull(json, "json"), persist, ttl, idempotencyKey,
                channels, fallback, notification, targets);
    }

    @SafeVarargs
    private static <T> List<T> concat(List<T> a, T... b) {
        return Stream.concat(a.stream(), Arrays.stream(b)).toList();
    }
}
