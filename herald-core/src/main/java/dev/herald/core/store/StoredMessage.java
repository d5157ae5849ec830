package dev.herald.core.store;

import dev.herald.core.message.Target;
import dev.herald.core.notify.NotifyJob;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A durable message as the store keeps it.
 *
 * @param id             the message id (a ULID: unique, sorts in publish order)
 * @param timestamp      when Herald accepted it, ms since the epoch
 * @param expiresAt      when its TTL runs out, ms since the epoch; it is not replayed after that
 * @param dataJson       the {@code data} as JSON text, byte-exact as published
 * @param users          recipient users: each gets it in their inbox, with a per-user status
 * @param topics         topics it was published to: each keeps it in the topic's log
 * @param all            published to everyone: kept in the broadcast log
 * @param idempotencyKey the publisher's {@code Idempotency-Key}, or {@code null}
 * @param jobs           its deliveries through other channels (e-mail, webhooks…): committed in the same
 *                       transaction as the message, and not at all when the message is a duplicate
 * @param requestHash    with an idempotency key: the hash of the request ({@code PublishRequest#fingerprint}),
 *                       kept next to the key so that a repeat of the key with another request is told apart from a
 *                       retry; {@code null} when unknown (then any repeat counts as a retry)
 * @param positions      its {@link StreamPosition}s, by stream: empty in what a publisher appends (the store
 *                       assigns them); a replayed message holds at least its position in the replayed stream
 */
public record StoredMessage(String id, long timestamp, long expiresAt, String dataJson, List<String> users,
                            List<String> topics, boolean all, String idempotencyKey, List<NotifyJob> jobs,
                            String requestHash, Map<Target, StreamPosition> positions) {
    public StoredMessage {
        users = List.copyOf(users);
        topics = List.copyOf(topics);
        jobs = List.copyOf(jobs);
        positions = Map.copyOf(positions);
    }

    /** A message to append, with its request hash: the store assigns its positions. */
    public StoredMessage(String id, long timestamp, long expiresAt, String dataJson, List<String> users,
                         List<String> topics, boolean all, String idempotencyKey, List<NotifyJob> jobs,
                         String requestHash) {
        this(id, timestamp, expiresAt, dataJson, users, topics, all, idempotencyKey, jobs, requestHash, Map.of());
    }

    /** A message to append without a request hash: the store assigns its positions. */
    public StoredMessage(String id, long timestamp, long expiresAt, String dataJson, List<String> users,
                         List<String> topics, boolean all, String idempotencyKey, List<NotifyJob> jobs) {
        this(id, timestamp, expiresAt, dataJson, users, topics, all, idempotencyKey, jobs, null, Map.of());
    }

    /** Whether two request hashes name the same request; an unknown hash (a message stored without one) matches any. */
    public static boolean sameRequest(String firstHash, String hash) {
        return firstHash == null || hash == null || firstHash.equals(hash);
    }

    /** A message with no deliveries through other channels. */
    public StoredMessage(String id, long timestamp, long expiresAt, String dataJson, List<String> users,
                         List<String> topics, boolean all, String idempotencyKey) {
        this(id, timestamp, expiresAt, dataJson, users, topics, all, idempotencyKey, List.of());
    }

    /** This message with the given positions (the store's, after it appended or read it). */
    public StoredMessage withPositions(Map<Target, StreamPosition> positions) {
        return new StoredMessage(id, timestamp, expiresAt, dataJson, users, topics, all, idempotencyKey, jobs, requestHash,
                positions);
    }

    /** Its position in {@code stream}, or {@code null} when not known here. */
    public StreamPosition position(Target stream) {
        return positions.get(stream);
    }

    /** Every stream this message is kept in: one per user, one per topic, and the broadcast stream. */
    public List<Target> streams() {
        List<Target> streams = new ArrayList<>(users.size() + topics.size() + 1);
        users.forEach(u -> streams.add(new Target.User(u)));
        topics.forEach(t -> streams.add(new Target.Topic(t)));
        if (all) {
            streams.add(Target.Everyone.INSTANCE);
        }
        return streams;
    }
}
