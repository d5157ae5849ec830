package dev.herald.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One message to publish: who gets it and its data. Immutable; build with the static factories and
 * {@link #text}/{@link #json}:
 * <pre>{@code
 * Publish.toUsers("123").text("Your export is ready");
 * Publish.toTopics("orders").json("{\"orderId\":42}");
 * Publish.toEveryone().json("{\"maintenance\":\"22:00\"}");
 * }</pre>
 */
public record Publish(List<String> users, List<String> topics, boolean all, String dataJson,
                      boolean persist, Duration ttl, String idempotencyKey) {
    public Publish {
        users = List.copyOf(users);
        topics = List.copyOf(topics);
    }

    public Publish(List<String> users, List<String> topics, boolean all, String dataJson) {
        this(users, topics, all, dataJson, true, null, null);
    }

    /**
     * Fire-and-forget: not stored, only connections open right now get it (typing indicators,
     * progress ticks). Messages are stored by default.
     */
    public Publish notPersisted() {
        return new Publish(users, topics, all, dataJson, false, ttl, idempotencyKey);
    }

    /** How long a stored message waits for offline recipients (server default: 24 h). */
    public Publish ttl(Duration ttl) {
        return new Publish(users, topics, all, dataJson, persist, Objects.requireNonNull(ttl, "ttl"), idempotencyKey);
    }

    /** A key naming this notification: a retry with the same key is not delivered twice. */
    public Publish idempotencyKey(String key) {
        return new Publish(users, topics, all, dataJson, persist, ttl, Objects.requireNonNull(key, "key"));
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

    /** Also send to these topics. */
    public Publish andTopics(String... more) {
        return new Publish(users, concat(topics, more), all, dataJson, persist, ttl, idempotencyKey);
    }

    /** Data as a JSON string; seed-protocol connections receive exactly {@code text}. */
    public Publish text(String text) {
        return new Publish(users, topics, all, Json.quote(Objects.requireNonNull(text, "text")), persist, ttl, idempotencyKey);
    }

    /** Data as JSON text (object, array, number…), passed through byte for byte. Herald validates it. */
    public Publish json(String json) {
        return new Publish(users, topics, all, Objects.requireNonNull(json, "json"), persist, ttl, idempotencyKey);
    }

    private static List<String> concat(List<String> a, String[] b) {
        return java.util.stream.Stream.concat(a.stream(), java.util.Arrays.stream(b)).toList();
    }
}
