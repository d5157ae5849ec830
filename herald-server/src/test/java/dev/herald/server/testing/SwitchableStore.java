package dev.herald.server.testing;

import dev.herald.core.store.Appended;
import dev.herald.core.store.Maintenance;
import dev.herald.core.notify.Attempt;
import dev.herald.core.notify.Contacts;
import dev.herald.core.notify.DeadLetterQuery;
import dev.herald.core.notify.JobState;
import dev.herald.core.notify.NotifyJob;
import dev.herald.core.notify.NotifyStore;
import dev.herald.core.store.MemoryMessageStore;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.Receipt;
import dev.herald.core.store.Replay;
import dev.herald.core.store.ReplayRequest;
import dev.herald.core.store.StatusUpdate;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoreUnavailableException;
import dev.herald.core.store.StoredMessage;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A real {@link MemoryMessageStore} with a failure switch: when set, every operation fails with
 * {@link StoreUnavailableException} and commits nothing, as a database that went away would.
 */
public final class SwitchableStore implements MessageStore, NotifyStore {
    private final MemoryMessageStore delegate;
    private volatile boolean failing;

    public SwitchableStore(StoreLimits limits) {
        this.delegate = new MemoryMessageStore(limits);
    }

    public SwitchableStore() {
        this(StoreLimits.defaults());
    }

    public void fail(boolean failing) {
        this.failing = failing;
    }

    private <T> CompletableFuture<T> orFail(java.util.function.Supplier<CompletableFuture<T>> op) {
        return failing ? CompletableFuture.failedFuture(new StoreUnavailableException("store down (test switch)")) : op.get();
    }

    @Override
    public <T> CompletableFuture<T> append(List<StoredMessage> messages, java.util.function.Function<List<Appended>, T> committed) {
        return orFail(() -> delegate.append(messages, committed));
    }

    @Override
    public CompletableFuture<Replay> replay(ReplayRequest request, long now) {
        return orFail(() -> delegate.replay(request, now));
    }

    @Override
    public CompletableFuture<Integer> updateStatus(List<StatusUpdate> updates) {
        return orFail(() -> delegate.updateStatus(updates));
    }

    @Override
    public CompletableFuture<Optional<Receipt>> receipt(String messageId, long now) {
        return orFail(() -> delegate.receipt(messageId, now));
    }

    @Override
    public CompletableFuture<Maintenance> maintain(long now) {
        return orFail(() -> delegate.maintain(now));
    }

    // ---- NotifyStore: the same switch fails channel deliveries and contacts ----

    @Override
    public CompletableFuture<Void> enqueue(List<NotifyJob> jobs) {
        return orFail(() -> delegate.enqueue(jobs));
    }

    @Override
    public CompletableFuture<List<NotifyJob>> claimDue(String channel, long now, long leaseUntil, int limit) {
        return orFail(() -> delegate.claimDue(channel, now, leaseUntil, limit));
    }

    @Override
    public CompletableFuture<Boolean> complete(String jobId, Attempt attempt, JobState next, long nextDueAt, String lastError) {
        return orFail(() -> delegate.complete(jobId, attempt, next, nextDueAt, lastError));
    }

    @Override
    public CompletableFuture<Integer> cancelFallbacks(String messageId, String userId) {
        return orFail(() -> delegate.cancelFallbacks(messageId, userId));
    }

    @Override
    public CompletableFuture<List<NotifyJob>> jobsOf(String messageId) {
        return orFail(() -> delegate.jobsOf(messageId));
    }

    @Override
    public CompletableFuture<Optional<NotifyJob>> job(String jobId) {
        return orFail(() -> delegate.job(jobId));
    }

    @Override
    public CompletableFuture<List<NotifyJob>> deadLetters(DeadLetterQuery query) {
        return orFail(() -> delegate.deadLetters(query));
    }

    @Override
    public CompletableFuture<Long> countDeadLetters(String channel, String userId, String messageId) {
        return orFail(() -> delegate.countDeadLetters(channel, userId, messageId));
    }

    @Override
    public CompletableFuture<Boolean> retryDead(String jobId, long now, long deadline) {
        return orFail(() -> delegate.retryDead(jobId, now, deadline));
    }

    @Override
    public CompletableFuture<Boolean> deleteDead(String jobId) {
        return orFail(() -> delegate.deleteDead(jobId));
    }

    @Override
    public CompletableFuture<Void> putContacts(String userId, Contacts contacts) {
        return orFail(() -> delegate.putContacts(userId, contacts));
    }

    @Override
    public CompletableFuture<Optional<Contacts>> contacts(String userId) {
        return orFail(() -> delegate.contacts(userId));
    }

    @Override
    public CompletableFuture<Boolean> deleteContacts(String userId) {
        return orFail(() -> delegate.deleteContacts(userId));
    }

    @Override
    public CompletableFuture<Void> disableContact(String userId, String channel, String reason) {
        return orFail(() -> delegate.disableContact(userId, channel, reason));
    }

    @Override
    public CompletableFuture<Integer> purgeFinished(long before) {
        return orFail(() -> delegate.purgeFinished(before));
    }

    @Override
    public String describe() {
        return "switchable memory store (tests)";
    }

    @Override
    public void close() {
        delegate.close();
    }
}
