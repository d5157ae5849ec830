package dev.herald.core.message;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What a publisher asked for: recipients, the data and how to keep it, before Herald assigns an id.
 *
 * @param users          user ids (each gets the message on all of its connections)
 * @param topics         topic names (each subscribed connection gets it)
 * @param all            every connection
 * @param dataJson       the data as JSON text, exactly as the publisher wrote it
 * @param rawBody        what seed-protocol connections receive, byte for byte
 * @param persist        {@code true} (the default): stored before it is published, replayed to clients that missed it;
 *                       {@code false}: fire-and-forget, only connections open right now get it
 * @param ttl            how long a stored message waits for its recipients; {@code null} for the server default
 * @param idempotencyKey a publisher-chosen key: a repeat within the retention window returns the first message; or {@code null}
 * @param delivery       channels, explicit targets, fallback and text content ({@link NotifyRequest#IN_APP} by default)
 */
public record PublishRequest(List<String> users, List<String> topics, boolean all, String dataJson, byte[] rawBody,
                             boolean persist, Duration ttl, String idempotencyKey, NotifyRequest delivery) {
    /** Longest idempotency key accepted. */
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 256;

    public PublishRequest {
        users = List.copyOf(users);
        topics = List.copyOf(topics);
        if (delivery == null) {
            delivery = NotifyRequest.IN_APP;
        }
    }

    /** An in-app-only request. */
    public PublishRequest(List<String> users, List<String> topics, boolean all, String dataJson, byte[] rawBody,
                          boolean persist, Duration ttl, String idempotencyKey) {
        this(users, topics, all, dataJson, rawBody, persist, ttl, idempotencyKey, NotifyRequest.IN_APP);
    }

    /** A durable message with the default TTL and no idempotency key. */
    public PublishRequest(List<String> users, List<String> topics, boolean all, String dataJson, byte[] rawBody) {
        this(users, topics, all, dataJson, rawBody, true, null, null);
    }

    /** The seed's {@code /send?uid=&message=}: one user, a plain-text body. */
    public static PublishRequest toUser(String userId, String dataJson, byte[] rawBody) {
        return new PublishRequest(List.of(userId), List.of(), false, dataJson, rawBody);
    }

    /**
     * {@link #toUser(String, String, byte[])} {@link #with with} {@code persist} and {@code idempotencyKey}, built
     * once (the seed's {@code /send} is the hottest request: no intermediate record per message).
     */
    public static PublishRequest toUser(String userId, String dataJson, byte[] rawBody, boolean persist,
                                        String idempotencyKey) {
        return new PublishRequest(List.of(userId), List.of(), false, dataJson, rawBody, persist, null, idempotencyKey);
    }

    /** The same request with the given persistence and idempotency key (HTTP query parameters and headers). */
    public PublishRequest with(boolean persist, String idempotencyKey) {
        return new PublishRequest(users, topics, all, dataJson, rawBody, persist, ttl, idempotencyKey, delivery);
    }

    /** The same request with another channel part (explicit targets normalised by their channels). */
    public PublishRequest withDelivery(NotifyRequest delivery) {
        return new PublishRequest(users, topics, all, dataJson, rawBody, persist, ttl, idempotencyKey, delivery);
    }

    /**
     * The SHA-256 (hex) of what this request asks for: recipients, data, persistence, ttl, channels, targets,
     * fallback and content, its idempotency key left out (the header and the field share one key space). The
     * store keeps it next to the key: a repeat with the same fingerprint is a retry, with another one the
     * key was reused for a different request.
     */
    public String fingerprint() {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        // every part is length-prefixed: no two different requests give the same byte sequence
        part(sha, "users", users);
        part(sha, "topics", topics);
        part(sha, all ? "all" : "not all");
        part(sha, dataJson);
        sha.update(Integer.toString(rawBody == null ? -1 : rawBody.length).getBytes(StandardCharsets.UTF_8));
        if (rawBody != null) {
            sha.update(rawBody);
        }
        part(sha, persist ? "persist" : "transient");
        part(sha, ttl == null ? null : Long.toString(ttl.toMillis()));
        part(sha, "channels", delivery.channels());
        for (var d : delivery.targets()) {
            part(sha, "target", List.of(d.channel(), d.address(), String.valueOf(d.secret())));
        }
        if (delivery.fallback() != null) {
            part(sha, "fallback after " + delivery.fallback().after().toMillis(), delivery.fallback().channels());
        }
        if (delivery.content() != null) {
            NotifyRequest.Content c = delivery.content();
            part(sha, "content", java.util.Arrays.asList(c.title(), c.text(), c.html(), c.markdown()));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void part(MessageDigest sha, String name, List<String> values) {
        part(sha, name + " " + values.size());
        values.forEach(v -> part(sha, v));
    }

    private static void part(MessageDigest sha, String value) {
        if (value == null) {
            sha.update((byte) 'N');
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        sha.update((bytes.length + ":").getBytes(StandardCharsets.UTF_8));
        sha.update(bytes);
    }

    /** The users who get it in-app: every named user, unless the request leaves out the {@code ws} channel. */
    public List<String> inAppUsers() {
        return delivery.inApp() ? users : List.of();
    }

    /** Where the live fan-out goes. */
    public List<Target> targets() {
        if (all) {
            return List.of(Target.Everyone.INSTANCE);
        }
        if (topics.isEmpty() && users.size() == 1 && delivery.inApp()) {
            return List.of(new Target.User(users.get(0))); // the personal message: no list to grow or copy
        }
        List<Target> targets = new ArrayList<>(users.size() + topics.size());
        for (String u : inAppUsers()) {
            targets.add(new Target.User(u));
        }
        for (String t : topics) {
            targets.add(new Target.Topic(t));
        }
        return targets;
    }
}
