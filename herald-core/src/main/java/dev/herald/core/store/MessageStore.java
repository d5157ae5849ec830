package dev.herald.core.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Durable messages: per-stream logs (a user's inbox, a topic, the broadcast log) with per-recipient
 * delivery status. Herald appends a message <em>before</em> publishing it, so a 2xx answer always
 * means the message is committed.
 *
 * <p>Contract (checked for every implementation by one shared test suite, {@code MessageStoreContract}):
 * <ul>
 *   <li>{@link #append} is atomic per call: every message of the call is committed, or none is and the
 *       future fails with {@link StoreUnavailableException}. Implementations batch concurrent calls into one
 *       transaction (group commit). Appends complete <b>in commit order</b> (one completing thread, never inside
 *       {@code append} itself), and {@link #append(List, java.util.function.Function) append with a step} runs
 *       the caller's step there, in that order: a publisher's live fan-out runs in it, so each stream's live
 *       messages reach a connection in position order. That is the only order the store promises between calls;
 *       a read is not ordered against appends still in flight (it sees every append whose future completed before
 *       it was called).</li>
 *   <li><b>The store is the sequencer.</b> Each stream ({@link StoredMessage#streams()}: a user's inbox, a topic, the
 *       broadcast log) numbers what is appended to it 1, 2, 3… in commit order, with no gaps, whatever the
 *       concurrency (and across the nodes that share a database): {@link Appended#positions()}. Each stream has an
 *       epoch ({@link StreamPosition}), made with the stream and kept as long as its history is (a database store
 *       keeps it across restarts; a memory store's streams start in new epochs with each instance). Trimming by the
 *       cap or the TTL keeps the epoch. A duplicate takes no position.</li>
 *   <li><b>The read rule.</b> {@link #replay} reads in position order and names its {@link Replay#head() head}: the
 *       stream's last position at the instant it read, from the same snapshot as the page (one transaction, or
 *       bounded by the head it read first; atomically in memory), or the request's {@link ReplayRequest#upTo()}
 *       when lower. The page is exactly the matching messages after the cursor up to the head (or up to where a
 *       full page stops, with {@code more}); a later page asked with {@code upTo} = that head stops there. So a
 *       reader that registers for live messages, then replays, then drops every live message of the stream at or
 *       below the head (and keeps the others) sees each message once, in position order, with no gap: that is how a
 *       connection joins replay to live ({@code StreamCursors}), with no lock and no ordering between reads and
 *       appends.</li>
 *   <li>Each replayed message carries its position in the replayed stream. After a position
 *       ({@link ReplayRequest#afterPosition()}): a cursor of another epoch reads the stream from its beginning with
 *       {@code gap}; otherwise {@code gap} says exactly that a position between the cursor and the end of what was
 *       read is gone. After a message id ({@link ReplayRequest#afterId()}): the id's position when the stream holds
 *       it (then exactly as after that position), else from the stream's first message with a greater id (ids are
 *       taken before the commit, so across streams they are not in commit order: an id cursor is exact only in its
 *       own stream).</li>
 *   <li>A message whose idempotency key was already appended (and not purged) is not stored again:
 *       its {@link Appended} names the first message's id with {@code duplicate = true}, and
 *       {@code keyReused = true} when the two {@link StoredMessage#requestHash}es differ; this holds for two
 *       messages with the same key in one call, too.</li>
 *   <li>{@link #replay} never returns expired messages ({@code expiresAt <= now}) nor ones dropped by the stream
 *       cap.</li>
 *   <li>The stream cap and the TTL are enforced by {@link #maintain} at the latest (an implementation may
 *       do it earlier); {@code replay} hides expired messages at once.</li>
 *   <li>Status only moves forward; updates for unknown messages or users who are not recipients change nothing.</li>
 * </ul>
 * Every method is thread-safe and returns without blocking on I/O; failures complete the future
 * exceptionally with {@link StoreUnavailableException}.
 */
public interface MessageStore extends AutoCloseable {

    /** Commits the messages; completes with one {@link Appended} per message, in input order. */
    default CompletableFuture<List<Appended>> append(List<StoredMessage> messages) {
        return append(messages, Function.identity());
    }

    /**
     * Commits the messages, then runs {@code committed} with one {@link Appended} per message (in input order) on
     * the store's completion thread, in commit order, and completes with what it returns (or fails with what it
     * throws). Not run when the commit fails. This is where a publisher fans a message out live: run in commit
     * order, its fan-out reaches each stream's readers in position order. (A stage attached to the future of
     * {@link #append(List)} instead could run on the attaching thread, after later commits' fan-outs.)
     */
    <T> CompletableFuture<T> append(List<StoredMessage> messages, Function<List<Appended>, T> committed);

    /** Reads one page of a stream. {@code now} decides what is expired. */
    CompletableFuture<Replay> replay(ReplayRequest request, long now);

    /** Applies status updates; completes with how many changed or confirmed a recipient's status (the rest were ignored). */
    CompletableFuture<Integer> updateStatus(List<StatusUpdate> updates);

    /** The message and its recipients' statuses, or empty when the id is unknown or purged. */
    CompletableFuture<Optional<Receipt>> receipt(String messageId, long now);

    /** Enforces the stream cap, marks TTL expiry, purges what is past retention. Run periodically. */
    CompletableFuture<Maintenance> maintain(long now);

    /** A short name for logs and the start-up banner, e.g. {@code sqlite:/var/lib/herald/herald.db} (no passwords). */
    String describe();

    /** Finishes pending writes, then releases connections and threads. Idempotent. */
    @Override
    void close();
}
