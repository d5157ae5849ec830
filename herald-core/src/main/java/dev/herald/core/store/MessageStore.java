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
 *       transaction (group commit). Futures complete <b>in the order the calls were made</b> (one completing
 *       thread, never inside {@code append} itself), so callers that attach their publish step while holding
 *       the lock under which they called {@code append} publish in append order. The same order holds between
 *       {@code append} and {@link #replay} calls: a replay completes after every append called before it, and
 *       sees each of them that committed (so several replays called together see the same commits: the
 *       replay/live seam relies on both, see {@code Inbox#inPublishOrder}).</li>
 *   <li><b>The store is the sequencer.</b> Each stream ({@link StoredMessage#streams()}: a user's inbox, a topic, the
 *       broadcast log) numbers what is appended to it 1, 2, 3… in commit order, with no gaps, whatever the
 *       concurrency (and across the nodes that share a database): {@link Appended#positions()}. Each stream has an
 *       epoch ({@link StreamPosition}), made with the stream and kept as long as its history is (a database store
 *       keeps it across restarts; a memory store's streams start in new epochs with each instance). Trimming by the
 *       cap or the TTL keeps the epoch. A duplicate takes no position.</li>
 *   <li>{@link #replay} returns each message with its position in the replayed stream. After a position
 *       ({@link ReplayRequest#afterPosition()}) it reads in position order; a cursor of another epoch reads the
 *       stream from its beginning with {@code gap}; otherwise {@code gap} says exactly that a position between the
 *       cursor and the end of what was read is gone.</li>
 *   <li>A message whose idempotency key was already appended (and not purged) is not stored again:
 *       its {@link Appended} names the first message's id with {@code duplicate = true}, and
 *       {@code keyReused = true} when the two {@link StoredMessage#requestHash}es differ; this holds for two
 *       messages with the same key in one call, too.</li>
 *   <li>{@link #replay} returns messages in id order, never expired ones ({@code expiresAt <= now}) nor
 *       ones dropped by the stream cap.</li>
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
