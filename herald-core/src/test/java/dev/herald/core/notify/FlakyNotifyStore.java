package dev.herald.core.notify;

import dev.herald.core.store.StoreUnavailableException;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link NotifyStore} in front of a real one that can fail the next claims, and counts them. */
final class FlakyNotifyStore implements NotifyStore {
    private final NotifyStore real;
    private final AtomicInteger claimsToFail = new AtomicInteger();
    final AtomicInteger claimsAnswered = new AtomicInteger();
    final AtomicInteger claimsFailed = new AtomicInteger();

    FlakyNotifyStore(NotifyStore real) {
        this.real = real;
    }

    void failNextClaims(int n) {
        claimsToFail.set(n);
    }

    @Override
    public CompletableFuture<List<NotifyJob>> claimDue(String channel, long now, long leaseUntil, int limit) {
        if (claimsToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            claimsFailed.incrementAndGet();
            return CompletableFuture.failedFuture(new StoreUnavailableException("database is down (test)", null));
        }
        return real.claimDue(channel, now, leaseUntil, limit).whenComplete((jobs, e) -> claimsAnswered.incrementAndGet());
    }

    @Override
    public CompletableFuture<Void> enqueue(List<NotifyJob> jobs) {
        return real.enqueue(jobs);
    }

    @Override
    public CompletableFuture<Boolean> complete(String jobId, Attempt attempt, JobState next, long nextDueAt, String lastError) {
        return real.complete(jobId, attempt, next, nextDueAt, lastError);
    }

    @Override
    public CompletableFuture<Integer> cancelFallbacks(String messageId, String userId) {
        return real.cancelFallbacks(messageId, userId);
    }

    @Override
    public CompletableFuture<List<NotifyJob>> jobsOf(String messageId) {
        return real.jobsOf(messageId);
    }

    @Override
    public CompletableFuture<Optional<NotifyJob>> job(String jobId) {
        return real.job(jobId);
    }

    @Override
    public CompletableFuture<List<NotifyJob>> deadLetters(DeadLetterQuery query) {
        return real.deadLetters(query);
    }

    @Override
    public CompletableFuture<Long> countDeadLetters(String channel, String userId, String messageId) {
        return real.countDeadLetters(channel, userId, messageId);
    }

    @Override
    public CompletableFuture<Boolean> retryDead(String jobId, long now, long deadline) {
        return real.retryDead(jobId, now, deadline);
    }

    @Override
    public CompletableFuture<Boolean> deleteDead(String jobId) {
        return real.deleteDead(jobId);
    }

    @Override
    public CompletableFuture<Void> putContacts(String userId, Contacts contacts) {
        return real.putContacts(userId, contacts);
    }

    @Override
    public CompletableFuture<Optional<Contacts>> contacts(String userId) {
        return real.contacts(userId);
    }

    @Override
    public CompletableFuture<Boolean> deleteContacts(String userId) {
        return real.deleteContacts(userId);
    }

    @Override
    public CompletableFuture<Void> disableContact(String userId, String channel, String reason) {
        return real.disableContact(userId, channel, reason);
    }

    @Override
    public CompletableFuture<Integer> purgeFinished(long before) {
        return real.purgeFinished(before);
    }
}
