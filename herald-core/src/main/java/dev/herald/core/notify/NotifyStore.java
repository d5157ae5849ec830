package dev.herald.core.notify;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Durable channel deliveries and users' contacts. The message stores implement it next to
 * {@code MessageStore}: deliveries that come with a message are committed <b>in the same transaction</b>
 * as the message ({@code StoredMessage#jobs}), so a 2xx publish answer means both are recorded, and a
 * repeated idempotency key records neither again.
 *
 * <p>Contract (one shared suite, {@code NotifyStoreContract}):
 * <ul>
 *   <li>{@link #claimDue} hands a due job to one caller only: it leases it until {@code leaseUntil}, after which
 *       (a crashed node) it is due again. Jobs come oldest {@code dueAt} first.</li>
 *   <li>{@link #complete} applies only to a job still in {@code PENDING} or {@code WAITING_ACK} state; a job a
 *       concurrent ack cancelled stays cancelled.</li>
 *   <li>{@link #cancelFallbacks} moves a user's {@code WAITING_ACK} jobs of a message to {@code CANCELLED}.</li>
 * </ul>
 * Every method is thread-safe and does not block; failures complete the future with
 * {@code StoreUnavailableException}.
 */
public interface NotifyStore {

    /** Records deliveries not tied to a message append (tests, re-queues). A job whose id is already stored is ignored. */
    CompletableFuture<Void> enqueue(List<NotifyJob> jobs);

    /**
     * Leases up to {@code limit} jobs of {@code channel} that are {@code PENDING} or {@code WAITING_ACK} with
     * {@code dueAt <= now} and no live lease, until {@code leaseUntil}.
     */
    CompletableFuture<List<NotifyJob>> claimDue(String channel, long now, long leaseUntil, int limit);

    /**
     * Records an attempt (or none, {@code attempt == null}, e.g. a fallback cancelled at firing time or a
     * delivery postponed by an open circuit) and moves the job to {@code next}: {@code PENDING} again at
     * {@code nextDueAt}, {@code WAITING_ACK} again at {@code nextDueAt} (a fallback whose firing an open circuit
     * postponed: an ack must still cancel it), or a final/dead state. Releases the lease. Completes with {@code false} when the job
     * was no longer pending (cancelled meanwhile, deleted). For a final or dead state pass the time it ended as
     * {@code nextDueAt}: it becomes the job's {@code dueAt}, which {@link #purgeFinished} goes by.
     */
    CompletableFuture<Boolean> complete(String jobId, Attempt attempt, JobState next, long nextDueAt, String lastError);

    /** Cancels the {@code WAITING_ACK} fallbacks of {@code messageId} for {@code userId}; completes with how many. */
    CompletableFuture<Integer> cancelFallbacks(String messageId, String userId);

    /** Every delivery of a message, oldest first (for its receipt). */
    CompletableFuture<List<NotifyJob>> jobsOf(String messageId);

    /** One delivery by id. */
    CompletableFuture<Optional<NotifyJob>> job(String jobId);

    /** Dead letters matching the query, newest first. */
    CompletableFuture<List<NotifyJob>> deadLetters(DeadLetterQuery query);

    /**
     * How many dead letters match these filters (each {@code null}: any), exactly, with the filter semantics of
     * {@link #deadLetters}: one count, not a walk of pages, so a console can poll it.
     */
    CompletableFuture<Long> countDeadLetters(String channel, String userId, String messageId);

    /**
     * Puts a dead letter back in the queue: {@code PENDING}, due {@code now}, attempt count reset, new deadline.
     * Completes with {@code false} when {@code jobId} is not a dead letter.
     */
    CompletableFuture<Boolean> retryDead(String jobId, long now, long deadline);

    /** Deletes a dead letter; {@code false} when {@code jobId} is not one. */
    CompletableFuture<Boolean> deleteDead(String jobId);

    /** Replaces a user's contacts (and re-enables disabled channels); {@code contacts.disabled()} is ignored. */
    CompletableFuture<Void> putContacts(String userId, Contacts contacts);

    /** A user's contacts; empty when there are none (contacts without any destination are none). */
    CompletableFuture<Optional<Contacts>> contacts(String userId);

    /** {@code false} when the user had none. */
    CompletableFuture<Boolean> deleteContacts(String userId);

    /** Marks one channel of a user's contacts unusable (its endpoint answered 410 Gone); nothing when the user has no such contact. */
    CompletableFuture<Void> disableContact(String userId, String channel, String reason);

    /**
     * Deletes {@code SENT} and {@code CANCELLED} jobs finished before {@code before}: their {@code dueAt} (for a sent
     * job the time {@link #complete} was given, for a cancelled fallback when it would have fired) and their
     * {@code createdAt} are both earlier. Completes with how many. Dead letters stay until deleted.
     */
    CompletableFuture<Integer> purgeFinished(long before);
}
