package dev.herald.core.notify;

import dev.herald.core.message.MessageIds;
import dev.herald.core.store.Appended;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.StoreUnavailableException;
import dev.herald.core.store.StoredMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link NotifyStore} must show; each implementation's test extends this class. The
 * message stores are the notify stores (jobs commit with their message), so {@link #createStore} returns one
 * object that is both. Times are explicit, never the wall clock: leases expire by passing a later {@code now}.
 */
public abstract class NotifyStoreContract {
    protected static final long T0 = 1_800_000_000_000L;
    protected static final long MINUTE = 60_000L;
    protected static final long HOUR = 60 * MINUTE;

    protected final MessageIds ids = new MessageIds();
    /** The store under test, as a message store. */
    protected MessageStore messages;
    /** The same store, as a notify store. */
    protected NotifyStore store;

    /** A fresh, empty store that implements both {@link MessageStore} and {@link NotifyStore}. */
    protected abstract MessageStore createStore() throws Exception;

    /** Releases what {@link #createStore} made (files, schemas). */
    protected void destroyStore() throws Exception { }

    @BeforeEach
    void open() throws Exception {
        messages = createStore();
        store = (NotifyStore) messages;
    }

    @AfterEach
    void closeStore() throws Exception {
        messages.close();
        destroyStore();
    }

    protected static <T> T await(CompletableFuture<T> future) {
        return future.orTimeout(30, TimeUnit.SECONDS).join();
    }

    protected StoredMessage message(String key, List<NotifyJob> jobs) {
        String id = jobs.isEmpty() ? ids.next(T0) : jobs.get(0).messageId();
        return new StoredMessage(id, T0, T0 + HOUR, "{\"n\":1}", List.of("u1"), List.of(), false, key, jobs);
    }

    /** A job of a new message, for {@code userId} on {@code channel}, due at {@code dueAt}. */
    protected NotifyJob job(String channel, String userId, long dueAt) {
        return job(ids.next(T0), channel, userId, dueAt, false);
    }

    protected NotifyJob job(String messageId, String channel, String userId, long dueAt, boolean fallback) {
        String id = ids.next(T0);
        Notification content = new Notification(id, messageId, userId, T0, "Title", "text", null, null, "{\"n\":1}");
        return NotifyJob.create(id, messageId, channel, userId, null, content, T0, dueAt, T0 + HOUR, fallback);
    }

    protected void enqueue(NotifyJob... jobs) {
        await(store.enqueue(List.of(jobs)));
    }

    protected NotifyJob stored(String jobId) {
        return await(store.job(jobId)).orElseThrow(() -> new AssertionError("no job " + jobId));
    }

    protected static List<String> idsOf(List<NotifyJob> jobs) {
        return jobs.stream().map(NotifyJob::id).toList();
    }

    protected static Attempt attempt(int number, SendResult.Outcome outcome, String error) {
        return new Attempt(number, T0 + number, 120 + number, outcome, outcome == SendResult.Outcome.OK ? 200 : 503, error);
    }

    /** A dead job: enqueued, failed for good. */
    protected NotifyJob dead(String messageId, String channel, String userId) {
        NotifyJob j = job(messageId, channel, userId, T0, false);
        enqueue(j);
        assertThat(await(store.complete(j.id(), attempt(1, SendResult.Outcome.PERMANENT, "HTTP 400"), JobState.DEAD, T0 + 1,
                "HTTP 400"))).isTrue();
        return stored(j.id());
    }

    // ---- jobs committed with their message

    @Test
    void jobsAreCommittedWithTheirMessageAndEveryFieldRoundTrips() {
        String messageId = ids.next(T0);
        String emailId = ids.next(T0);
        String hookId = ids.next(T0);
        String systemId = ids.next(T0);
        NotifyJob email = NotifyJob.create(emailId, messageId, "email", "u1", null,
                new Notification(emailId, messageId, "u1", T0, "Order shipped", "Your order 42 is on its way. 🎉",
                        "<p>Your order <b>42</b></p>", "**42**", "{\"order\":42,\"text\":\"héllo \\\"q\\\"\"}"),
                T0 + 5, T0 + 5 * MINUTE, T0 + 24 * HOUR, true);
        NotifyJob hook = NotifyJob.create(hookId, messageId, "webhook", "u2",
                new Destination("webhook", "https://hooks.example.com/in?x=1&y=2", "whsec_c2VjcmV0"),
                new Notification(hookId, messageId, "u2", T0, "t", "plain", null, null, "[1,2]"),
                T0 + 6, T0 + 6, T0 + HOUR, false);
        NotifyJob system = NotifyJob.create(systemId, messageId, "slack", null,
                new Destination("slack", "https://hooks.slack.com/services/T/B/X", null),
                new Notification(systemId, messageId, null, T0, "", "", null, null, "null"),
                T0 + 7, T0 + 7, T0 + HOUR, false);

        List<Appended> appended = await(messages.append(List.of(message(null, List.of(email, hook, system)))));
        assertThat(appended).extracting(Appended::id, Appended::duplicate).containsExactly(tuple(messageId, false));

        assertThat(await(store.jobsOf(messageId))).containsExactly(email, hook, system);
        assertThat(stored(emailId)).isEqualTo(email);
        assertThat(stored(emailId).state()).isEqualTo(JobState.WAITING_ACK);
        assertThat(stored(hookId)).isEqualTo(hook);
        assertThat(stored(hookId).destination().secret()).isEqualTo("whsec_c2VjcmV0");
        assertThat(stored(systemId)).isEqualTo(system);
        assertThat(await(store.job(ids.next(T0)))).isEmpty();
        assertThat(await(store.jobsOf(ids.next(T0)))).isEmpty();
    }

    @Test
    void aDuplicateIdempotencyKeyRecordsNoJobs() {
        NotifyJob first = job("email", "u1", T0);
        await(messages.append(List.of(message("order-7", List.of(first)))));
        NotifyJob again = job("email", "u1", T0);
        NotifyJob sameCallA = job("webhook", "u1", T0);
        NotifyJob sameCallB = job("webhook", "u1", T0);
        List<Appended> appended = await(messages.append(List.of(message("order-7", List.of(again)),
                message("order-8", List.of(sameCallA)), message("order-8", List.of(sameCallB)))));
        assertThat(appended).extracting(Appended::duplicate).containsExactly(true, false, true);

        assertThat(await(store.jobsOf(first.messageId()))).containsExactly(first);
        assertThat(await(store.job(again.id()))).isEmpty();
        assertThat(await(store.jobsOf(again.messageId()))).isEmpty();
        assertThat(await(store.jobsOf(sameCallA.messageId()))).containsExactly(sameCallA);
        assertThat(await(store.job(sameCallB.id()))).isEmpty();
        assertThat(idsOf(await(store.claimDue("email", T0, T0 + MINUTE, 10)))).containsExactly(first.id());
    }

    @Test
    void enqueuedJobsAreStoredAndAnIdAlreadyStoredIsIgnored() {
        NotifyJob a = job("email", "u1", T0);
        NotifyJob b = job(a.messageId(), "webhook", "u1", T0 + 1, false);
        enqueue(a, b);
        assertThat(await(store.jobsOf(a.messageId()))).containsExactly(a, b);
        NotifyJob sameId = new NotifyJob(a.id(), a.messageId(), "slack", "u9", null, a.content(), T0, T0, T0, JobState.PENDING,
                List.of(), 0, null);
        enqueue(sameId);
        assertThat(stored(a.id())).isEqualTo(a);
        assertThat(await(store.enqueue(List.of()))).isNull();
    }

    // ---- claiming

    @Test
    void claimDueReturnsOnlyDuePendingJobsOfThatChannelOldestDueFirst() {
        NotifyJob late = job("email", "u1", T0 + 3);
        NotifyJob early = job("email", "u2", T0 + 1);
        NotifyJob fallback = job(ids.next(T0), "email", "u3", T0 + 2, true);
        NotifyJob notYet = job("email", "u4", T0 + 11);
        NotifyJob otherChannel = job("webhook", "u1", T0);
        NotifyJob sent = job("email", "u5", T0);
        NotifyJob deadOne = job("email", "u6", T0);
        enqueue(late, early, fallback, notYet, otherChannel, sent, deadOne);
        assertThat(await(store.complete(sent.id(), attempt(1, SendResult.Outcome.OK, null), JobState.SENT, T0, null))).isTrue();
        assertThat(await(store.complete(deadOne.id(), null, JobState.DEAD, T0, "gone"))).isTrue();

        assertThat(idsOf(await(store.claimDue("email", T0 + 10, T0 + MINUTE, 10))))
                .containsExactly(early.id(), fallback.id(), late.id());
        assertThat(idsOf(await(store.claimDue("webhook", T0 + 10, T0 + MINUTE, 10)))).containsExactly(otherChannel.id());
        assertThat(await(store.claimDue("slack", T0 + 10, T0 + MINUTE, 10))).isEmpty();
        // a claimed job is returned as stored
        assertThat(await(store.claimDue("email", T0 + 11, T0 + MINUTE, 10))).containsExactly(notYet);
    }

    @Test
    void claimDueRespectsTheLimitAndLeavesTheRestForTheNextCall() {
        List<NotifyJob> jobs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            jobs.add(job("email", "u" + i, T0 + i));
        }
        await(store.enqueue(jobs));
        assertThat(idsOf(await(store.claimDue("email", T0 + 10, T0 + MINUTE, 2)))).containsExactlyElementsOf(idsOf(jobs.subList(0, 2)));
        assertThat(idsOf(await(store.claimDue("email", T0 + 10, T0 + MINUTE, 2)))).containsExactlyElementsOf(idsOf(jobs.subList(2, 4)));
        assertThat(idsOf(await(store.claimDue("email", T0 + 10, T0 + MINUTE, 2)))).containsExactly(jobs.get(4).id());
        assertThat(await(store.claimDue("email", T0 + 10, T0 + MINUTE, 2))).isEmpty();
    }

    @Test
    void aLeasedJobGoesToNoOtherCallerUntilItsLeaseExpires() {
        NotifyJob j = job("email", "u1", T0);
        enqueue(j);
        assertThat(idsOf(await(store.claimDue("email", T0, T0 + MINUTE, 10)))).containsExactly(j.id());
        assertThat(await(store.claimDue("email", T0 + 1, T0 + 2 * MINUTE, 10))).isEmpty();
        assertThat(await(store.claimDue("email", T0 + MINUTE - 1, T0 + 2 * MINUTE, 10))).isEmpty();
        // the node that held it crashed: once the lease runs out, another takes it
        assertThat(idsOf(await(store.claimDue("email", T0 + MINUTE, T0 + 2 * MINUTE, 10)))).containsExactly(j.id());
        assertThat(await(store.claimDue("email", T0 + MINUTE + 1, T0 + 3 * MINUTE, 10))).isEmpty();
    }

    @Test
    void concurrentClaimsHandEachJobToOneCallerOnly() {
        List<NotifyJob> jobs = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            jobs.add(job("email", "u" + i, T0));
        }
        await(store.enqueue(jobs));
        List<CompletableFuture<List<NotifyJob>>> claims = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            claims.add(store.claimDue("email", T0, T0 + MINUTE, 7));
        }
        List<String> claimed = new ArrayList<>();
        claims.forEach(c -> claimed.addAll(idsOf(await(c))));
        assertThat(claimed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(idsOf(jobs));
    }

    // ---- completing

    @Test
    void completeRecordsTheAttemptMovesTheJobAndReleasesTheLease() {
        NotifyJob j = job("webhook", "u1", T0);
        enqueue(j);
        await(store.claimDue("webhook", T0, T0 + HOUR, 10));
        Attempt failed = attempt(1, SendResult.Outcome.RETRY, "HTTP 503");
        assertThat(await(store.complete(j.id(), failed, JobState.PENDING, T0 + MINUTE, "HTTP 503"))).isTrue();

        NotifyJob after = stored(j.id());
        assertThat(after.state()).isEqualTo(JobState.PENDING);
        assertThat(after.dueAt()).isEqualTo(T0 + MINUTE);
        assertThat(after.attempts()).containsExactly(failed);
        assertThat(after.attemptCount()).isEqualTo(1);
        assertThat(after.lastError()).isEqualTo("HTTP 503");
        assertThat(after.deadline()).isEqualTo(j.deadline());
        assertThat(after.content()).isEqualTo(j.content());
        // the lease (until T0 + HOUR) is gone: it is due again at its new time
        assertThat(await(store.claimDue("webhook", T0 + MINUTE - 1, T0 + HOUR, 10))).isEmpty();
        assertThat(idsOf(await(store.claimDue("webhook", T0 + MINUTE, T0 + HOUR, 10)))).containsExactly(j.id());

        Attempt ok = new Attempt(2, T0 + MINUTE, 80, SendResult.Outcome.OK, 204, null);
        assertThat(await(store.complete(j.id(), ok, JobState.SENT, T0 + MINUTE + 80, null))).isTrue();
        NotifyJob sent = stored(j.id());
        assertThat(sent.state()).isEqualTo(JobState.SENT);
        assertThat(sent.attempts()).containsExactly(failed, ok);
        assertThat(sent.attemptCount()).isEqualTo(2);
        assertThat(sent.lastError()).isNull();
        assertThat(await(store.claimDue("webhook", T0 + 2 * HOUR, T0 + 3 * HOUR, 10))).isEmpty();
    }

    @Test
    void onlyTheLatestAttemptsAreKeptButTheCountGoesOn() {
        NotifyJob j = job("email", "u1", T0);
        enqueue(j);
        int made = NotifyJob.MAX_KEPT_ATTEMPTS + 3;
        for (int n = 1; n <= made; n++) {
            assertThat(await(store.complete(j.id(), attempt(n, SendResult.Outcome.RETRY, "try " + n), JobState.PENDING, T0 + n,
                    "try " + n))).isTrue();
        }
        NotifyJob after = stored(j.id());
        assertThat(after.attemptCount()).isEqualTo(made);
        assertThat(after.attempts()).hasSize(NotifyJob.MAX_KEPT_ATTEMPTS);
        assertThat(after.attempts()).extracting(Attempt::number).isSorted().startsWith(4).endsWith(made);
        assertThat(after.attempts().get(0)).isEqualTo(attempt(4, SendResult.Outcome.RETRY, "try 4"));
    }

    @Test
    void completeWithoutAnAttemptChangesNeitherAttemptsNorTheirCount() {
        NotifyJob j = job("email", "u1", T0);
        enqueue(j);
        Attempt first = attempt(1, SendResult.Outcome.RETRY, "timeout");
        await(store.complete(j.id(), first, JobState.PENDING, T0 + 10, "timeout"));
        // postponed by an open circuit: no attempt was made
        assertThat(await(store.complete(j.id(), null, JobState.PENDING, T0 + MINUTE, "circuit open"))).isTrue();
        NotifyJob after = stored(j.id());
        assertThat(after.attempts()).containsExactly(first);
        assertThat(after.attemptCount()).isEqualTo(1);
        assertThat(after.dueAt()).isEqualTo(T0 + MINUTE);
        assertThat(after.lastError()).isEqualTo("circuit open");
    }

    @Test
    void aFallbackPostponedWithoutAnAttemptStillWaitsForTheAckAndCanBeCancelled() {
        String messageId = ids.next(T0);
        NotifyJob fallback = job(messageId, "email", "u1", T0, true);
        enqueue(fallback);
        assertThat(idsOf(await(store.claimDue("email", T0, T0 + MINUTE, 10)))).containsExactly(fallback.id());

        // the dispatcher found the endpoint's circuit open: it stays a fallback, due later
        assertThat(await(store.complete(fallback.id(), null, JobState.WAITING_ACK, T0 + 5 * MINUTE, "circuit open"))).isTrue();

        NotifyJob postponed = stored(fallback.id());
        assertThat(postponed.state()).isEqualTo(JobState.WAITING_ACK);
        assertThat(postponed.dueAt()).isEqualTo(T0 + 5 * MINUTE);
        assertThat(await(store.claimDue("email", T0 + MINUTE, T0 + 2 * MINUTE, 10))).isEmpty();
        assertThat(await(store.cancelFallbacks(messageId, "u1"))).isEqualTo(1);
        assertThat(stored(fallback.id()).state()).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void completeRefusesAJobThatIsNoLongerPending() {
        NotifyJob cancelled = job(ids.next(T0), "email", "u1", T0, true);
        NotifyJob sent = job("email", "u1", T0);
        enqueue(cancelled, sent);
        await(store.claimDue("email", T0, T0 + MINUTE, 10));
        assertThat(await(store.cancelFallbacks(cancelled.messageId(), "u1"))).isEqualTo(1);
        assertThat(await(store.complete(sent.id(), attempt(1, SendResult.Outcome.OK, null), JobState.SENT, T0 + 1, null))).isTrue();
        NotifyJob deadOne = dead(ids.next(T0), "email", "u1");

        Attempt late = attempt(2, SendResult.Outcome.OK, null);
        assertThat(await(store.complete(cancelled.id(), late, JobState.SENT, T0 + 2, null))).isFalse();
        assertThat(await(store.complete(sent.id(), late, JobState.PENDING, T0 + 2, null))).isFalse();
        assertThat(await(store.complete(deadOne.id(), late, JobState.SENT, T0 + 2, null))).isFalse();
        assertThat(await(store.complete(ids.next(T0), late, JobState.SENT, T0 + 2, null))).isFalse();
        assertThat(await(store.deleteDead(deadOne.id()))).isTrue();
        assertThat(await(store.complete(deadOne.id(), late, JobState.SENT, T0 + 2, null))).isFalse();

        NotifyJob stillCancelled = stored(cancelled.id());
        assertThat(stillCancelled.state()).isEqualTo(JobState.CANCELLED);
        assertThat(stillCancelled.attempts()).isEmpty();
        assertThat(stored(sent.id()).state()).isEqualTo(JobState.SENT);
        assertThat(stored(sent.id()).attemptCount()).isEqualTo(1);
    }

    @Test
    void completionsCalledTogetherTakeEffectInCallOrder() {
        List<NotifyJob> jobs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            jobs.add(job(ids.next(T0), "email", "u1", T0, i % 4 == 0));
        }
        await(store.enqueue(jobs));
        NotifyJob twice = jobs.get(1);
        NotifyJob fallback = jobs.get(4);
        // called one after the other without waiting: a database store applies them in one transaction
        List<CompletableFuture<Boolean>> calls = new ArrayList<>();
        for (NotifyJob j : jobs) {
            calls.add(store.complete(j.id(), attempt(1, SendResult.Outcome.RETRY, "HTTP 502"), JobState.PENDING, T0 + 5, "HTTP 502"));
        }
        CompletableFuture<Integer> cancel = store.cancelFallbacks(fallback.messageId(), "u1");
        CompletableFuture<Boolean> cancelledFirst = store.complete(fallback.id(), attempt(2, SendResult.Outcome.OK, null), JobState.SENT, T0 + 6, null);
        CompletableFuture<Boolean> retried = store.complete(twice.id(), attempt(2, SendResult.Outcome.RETRY, "HTTP 502"), JobState.PENDING,
                T0 + 6, "HTTP 502");
        CompletableFuture<Boolean> sent = store.complete(twice.id(), attempt(3, SendResult.Outcome.OK, null), JobState.SENT, T0 + 7, null);
        CompletableFuture<Boolean> afterSent = store.complete(twice.id(), attempt(4, SendResult.Outcome.OK, null), JobState.SENT, T0 + 8, null);
        CompletableFuture<Boolean> unknown = store.complete(ids.next(T0), null, JobState.SENT, T0 + 7, null);

        assertThat(calls).allSatisfy(c -> assertThat(await(c)).isTrue());
        assertThat(await(cancel)).isZero(); // completed as PENDING just before: no longer waiting for the ack
        assertThat(await(cancelledFirst)).isTrue();
        assertThat(await(retried)).isTrue();
        assertThat(await(sent)).isTrue();
        assertThat(await(afterSent)).isFalse();
        assertThat(await(unknown)).isFalse();
        NotifyJob delivered = stored(twice.id());
        assertThat(delivered.state()).isEqualTo(JobState.SENT);
        assertThat(delivered.attempts()).extracting(Attempt::number).containsExactly(1, 2, 3);
        assertThat(delivered.attemptCount()).isEqualTo(3);
        for (NotifyJob j : jobs.subList(5, 40)) {
            assertThat(stored(j.id()).attempts()).as(j.id()).containsExactly(attempt(1, SendResult.Outcome.RETRY, "HTTP 502"));
        }
    }

    // ---- fallbacks

    @Test
    void cancelFallbacksTouchesOnlyWaitingJobsOfThatMessageAndUser() {
        String messageId = ids.next(T0);
        NotifyJob mine = job(messageId, "email", "u1", T0 + MINUTE, true);
        NotifyJob mineToo = job(messageId, "slack", "u1", T0 + MINUTE, true);
        NotifyJob otherUser = job(messageId, "email", "u2", T0 + MINUTE, true);
        NotifyJob notAFallback = job(messageId, "webhook", "u1", T0, false);
        NotifyJob otherMessage = job(ids.next(T0), "email", "u1", T0 + MINUTE, true);
        enqueue(mine, mineToo, otherUser, notAFallback, otherMessage);

        assertThat(await(store.cancelFallbacks(messageId, "u1"))).isEqualTo(2);
        assertThat(stored(mine.id()).state()).isEqualTo(JobState.CANCELLED);
        assertThat(stored(mineToo.id()).state()).isEqualTo(JobState.CANCELLED);
        assertThat(stored(otherUser.id()).state()).isEqualTo(JobState.WAITING_ACK);
        assertThat(stored(notAFallback.id()).state()).isEqualTo(JobState.PENDING);
        assertThat(stored(otherMessage.id()).state()).isEqualTo(JobState.WAITING_ACK);
        assertThat(await(store.cancelFallbacks(messageId, "u1"))).isZero();
        assertThat(await(store.cancelFallbacks(ids.next(T0), "u1"))).isZero();
        assertThat(idsOf(await(store.claimDue("email", T0 + HOUR, T0 + 2 * HOUR, 10))))
                .containsExactlyInAnyOrder(otherUser.id(), otherMessage.id());
    }

    // ---- dead letters

    @Test
    void deadLettersAreFilteredAndListedNewestFirst() {
        String m1 = ids.next(T0);
        String m2 = ids.next(T0);
        NotifyJob a = dead(m1, "email", "u1");
        NotifyJob b = dead(m1, "webhook", "u1");
        NotifyJob c = dead(m2, "email", "u2");
        NotifyJob d = dead(m2, "email", "u1");
        NotifyJob alive = job(m1, "email", "u1", T0, false);
        enqueue(alive);

        Function<DeadLetterQuery, List<String>> list = q -> idsOf(await(store.deadLetters(q)));
        assertThat(list.apply(new DeadLetterQuery(null, null, null, null, 100))).containsExactly(d.id(), c.id(), b.id(), a.id());
        assertThat(list.apply(new DeadLetterQuery("email", null, null, null, 100))).containsExactly(d.id(), c.id(), a.id());
        assertThat(list.apply(new DeadLetterQuery(null, "u1", null, null, 100))).containsExactly(d.id(), b.id(), a.id());
        assertThat(list.apply(new DeadLetterQuery(null, null, m1, null, 100))).containsExactly(b.id(), a.id());
        assertThat(list.apply(new DeadLetterQuery("email", "u1", m2, null, 100))).containsExactly(d.id());
        assertThat(list.apply(new DeadLetterQuery("slack", null, null, null, 100))).isEmpty();
        assertThat(await(store.deadLetters(new DeadLetterQuery(null, null, m1, null, 100)))).containsExactly(b, a);
        assertThat(b.state()).isEqualTo(JobState.DEAD);
        assertThat(b.lastError()).isEqualTo("HTTP 400");
    }

    @Test
    void deadLettersAreCountedWithTheListingsFilters() {
        String m1 = ids.next(T0);
        String m2 = ids.next(T0);
        dead(m1, "email", "u1");
        dead(m1, "webhook", "u1");
        dead(m2, "email", "u2");
        NotifyJob d = dead(m2, "email", "u1");
        enqueue(job(m1, "email", "u1", T0, false)); // pending: not counted

        assertThat(await(store.countDeadLetters(null, null, null))).isEqualTo(4);
        assertThat(await(store.countDeadLetters("email", null, null))).isEqualTo(3);
        assertThat(await(store.countDeadLetters(null, "u1", null))).isEqualTo(3);
        assertThat(await(store.countDeadLetters(null, null, m1))).isEqualTo(2);
        assertThat(await(store.countDeadLetters("email", "u1", m2))).isEqualTo(1);
        assertThat(await(store.countDeadLetters("slack", null, null))).isZero();

        assertThat(await(store.deleteDead(d.id()))).isTrue();
        assertThat(await(store.countDeadLetters(null, null, null))).isEqualTo(3);
        assertThat(await(store.retryDead(dead(m2, "email", "u3").id(), T0 + HOUR, T0 + 5 * HOUR))).isTrue();
        assertThat(await(store.countDeadLetters(null, null, null))).isEqualTo(3);
        assertThat(await(store.countDeadLetters(null, "u3", null))).isZero();
    }

    @Test
    void deadLettersAreCountedPastOnePage() {
        List<NotifyJob> jobs = new ArrayList<>();
        for (int i = 0; i < DeadLetterQuery.MAX_LIMIT + 1; i++) {
            jobs.add(job(ids.next(T0), "email", "u1", T0, false));
        }
        await(store.enqueue(jobs));
        // all at once: a store that commits in groups writes them in a few commits, not 501
        await(CompletableFuture.allOf(jobs.stream().map(j -> store.complete(j.id(), attempt(1, SendResult.Outcome.PERMANENT, "HTTP 400"),
                JobState.DEAD, T0 + 1, "HTTP 400")).toArray(CompletableFuture[]::new)));
        assertThat(await(store.countDeadLetters(null, null, null))).isEqualTo(DeadLetterQuery.MAX_LIMIT + 1);
    }

    @Test
    void deadLettersPageWithBeforeIdAndLimit() {
        List<NotifyJob> dead = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            dead.add(dead(ids.next(T0), "email", "u1"));
        }
        List<String> newestFirst = new ArrayList<>(idsOf(dead));
        Collections.reverse(newestFirst);

        List<String> seen = new ArrayList<>();
        String before = null;
        List<List<String>> pages = new ArrayList<>();
        do {
            List<String> page = idsOf(await(store.deadLetters(new DeadLetterQuery(null, "u1", null, before, 3))));
            pages.add(page);
            seen.addAll(page);
            before = page.isEmpty() ? null : page.get(page.size() - 1);
        } while (before != null);
        assertThat(pages).extracting(List::size).containsExactly(3, 3, 1, 0);
        assertThat(seen).containsExactlyElementsOf(newestFirst);
    }

    @Test
    void retryDeadPutsADeadLetterBackInTheQueue() {
        NotifyJob j = dead(ids.next(T0), "webhook", "u1");
        await(store.claimDue("webhook", T0, T0 + HOUR, 10)); // nothing to lease: it is dead
        assertThat(await(store.retryDead(j.id(), T0 + HOUR, T0 + 5 * HOUR))).isTrue();

        NotifyJob retried = stored(j.id());
        assertThat(retried.state()).isEqualTo(JobState.PENDING);
        assertThat(retried.dueAt()).isEqualTo(T0 + HOUR);
        assertThat(retried.deadline()).isEqualTo(T0 + 5 * HOUR);
        assertThat(retried.attemptCount()).isZero();
        assertThat(retried.attempts()).isEqualTo(j.attempts()).hasSize(1);
        assertThat(await(store.deadLetters(new DeadLetterQuery(null, null, null, null, 10)))).isEmpty();
        assertThat(await(store.claimDue("webhook", T0 + HOUR - 1, T0 + 2 * HOUR, 10))).isEmpty();
        assertThat(idsOf(await(store.claimDue("webhook", T0 + HOUR, T0 + 2 * HOUR, 10)))).containsExactly(j.id());

        assertThat(await(store.retryDead(j.id(), T0 + HOUR, T0 + 5 * HOUR))).isFalse(); // pending, not dead
        assertThat(await(store.retryDead(ids.next(T0), T0 + HOUR, T0 + 5 * HOUR))).isFalse();
    }

    @Test
    void deleteDeadDeletesOnlyDeadLetters() {
        NotifyJob deadOne = dead(ids.next(T0), "email", "u1");
        NotifyJob pending = job("email", "u1", T0);
        enqueue(pending);
        assertThat(await(store.deleteDead(pending.id()))).isFalse();
        assertThat(await(store.deleteDead(ids.next(T0)))).isFalse();
        assertThat(await(store.deleteDead(deadOne.id()))).isTrue();
        assertThat(await(store.job(deadOne.id()))).isEmpty();
        assertThat(await(store.jobsOf(deadOne.messageId()))).isEmpty();
        assertThat(await(store.deleteDead(deadOne.id()))).isFalse();
        assertThat(await(store.job(pending.id()))).isPresent();
    }

    // ---- contacts

    @Test
    void contactsArePutReadAndDeleted() {
        assertThat(await(store.contacts("u1"))).isEmpty();
        Map<String, Destination> destinations = Map.of(
                "email", new Destination("email", "ada@example.com", null),
                "webhook", new Destination("webhook", "https://example.com/hook", "whsec_dG9wIHNlY3JldA=="));
        await(store.putContacts("u1", new Contacts(destinations, Map.of(), T0)));
        await(store.putContacts("u2", new Contacts(Map.of("slack", new Destination("slack", "https://hooks.slack.com/x", null)),
                Map.of(), T0 + 1)));

        Contacts read = await(store.contacts("u1")).orElseThrow();
        assertThat(read).isEqualTo(new Contacts(destinations, Map.of(), T0));
        assertThat(read.usable("webhook").secret()).isEqualTo("whsec_dG9wIHNlY3JldA==");

        // a put replaces them all
        Map<String, Destination> replaced = Map.of("dingtalk", new Destination("dingtalk", "https://oapi.dingtalk.com/robot/send?a=b", "SEC1"));
        await(store.putContacts("u1", new Contacts(replaced, Map.of(), T0 + 5)));
        assertThat(await(store.contacts("u1"))).contains(new Contacts(replaced, Map.of(), T0 + 5));

        assertThat(await(store.deleteContacts("u1"))).isTrue();
        assertThat(await(store.contacts("u1"))).isEmpty();
        assertThat(await(store.deleteContacts("u1"))).isFalse();
        assertThat(await(store.contacts("u2"))).isPresent();
    }

    @Test
    void aDisabledContactIsUnusableUntilTheContactsAreWrittenAgain() {
        Map<String, Destination> destinations = Map.of(
                "email", new Destination("email", "ada@example.com", null),
                "webhook", new Destination("webhook", "https://example.com/hook", "s3cret"));
        await(store.putContacts("u1", new Contacts(destinations, Map.of(), T0)));
        await(store.disableContact("u1", "webhook", "HTTP 410 Gone"));
        await(store.disableContact("u1", "slack", "HTTP 410 Gone")); // not one of them: nothing to disable
        await(store.disableContact("nobody", "email", "HTTP 410 Gone"));

        Contacts read = await(store.contacts("u1")).orElseThrow();
        assertThat(read.disabled()).containsExactly(Map.entry("webhook", "HTTP 410 Gone"));
        assertThat(read.destinations()).isEqualTo(destinations);
        assertThat(read.usable("webhook")).isNull();
        assertThat(read.usable("email")).isEqualTo(destinations.get("email"));
        assertThat(await(store.contacts("nobody"))).isEmpty();

        // writing them again re-enables the channel, whatever the caller put in disabled
        await(store.putContacts("u1", new Contacts(destinations, Map.of("email", "stale"), T0 + 1)));
        Contacts again = await(store.contacts("u1")).orElseThrow();
        assertThat(again.disabled()).isEmpty();
        assertThat(again.usable("webhook")).isEqualTo(destinations.get("webhook"));
    }

    @Test
    void contactsWithoutDestinationsAreNoContacts() {
        await(store.putContacts("u1", new Contacts(Map.of("email", new Destination("email", "a@example.com", null)), Map.of(), T0)));
        await(store.putContacts("u1", new Contacts(Map.of(), Map.of(), T0 + 1)));
        assertThat(await(store.contacts("u1"))).isEmpty();
    }

    // ---- purging

    @Test
    void purgeFinishedDeletesOldSentAndCancelledJobsOnly() {
        String messageId = ids.next(T0);
        NotifyJob sentEarly = job(messageId, "email", "u1", T0, false);
        NotifyJob sentLate = job(messageId, "webhook", "u1", T0, false);
        NotifyJob cancelled = job(messageId, "slack", "u1", T0 + MINUTE, true);
        NotifyJob pending = job(messageId, "email", "u2", T0, false);
        NotifyJob waiting = job(messageId, "slack", "u2", T0 + MINUTE, true);
        enqueue(sentEarly, sentLate, cancelled, pending, waiting);
        await(store.complete(sentEarly.id(), attempt(1, SendResult.Outcome.OK, null), JobState.SENT, T0 + 10, null));
        await(store.complete(sentLate.id(), attempt(1, SendResult.Outcome.OK, null), JobState.SENT, T0 + HOUR, null));
        await(store.cancelFallbacks(messageId, "u1"));
        NotifyJob deadOne = dead(messageId, "email", "u3");

        assertThat(await(store.purgeFinished(T0 + 10))).isZero(); // finished at T0 + 10: not before it
        assertThat(await(store.purgeFinished(T0 + 2 * MINUTE))).isEqualTo(2); // sentEarly, and the fallback cancelled before it fired
        assertThat(idsOf(await(store.jobsOf(messageId)))).containsExactlyInAnyOrder(sentLate.id(), pending.id(), waiting.id(), deadOne.id());
        assertThat(await(store.purgeFinished(T0 + 100 * HOUR))).isEqualTo(1);
        assertThat(idsOf(await(store.jobsOf(messageId)))).containsExactlyInAnyOrder(pending.id(), waiting.id(), deadOne.id());
        assertThat(await(store.deadLetters(new DeadLetterQuery(null, null, null, null, 10)))).hasSize(1);
    }

    // ---- closing

    @Test
    void aClosedStoreFailsEveryCall() {
        NotifyJob j = job("email", "u1", T0);
        enqueue(j);
        messages.close();
        List<CompletableFuture<?>> calls = List.of(
                store.enqueue(List.of(job("email", "u1", T0))),
                store.claimDue("email", T0, T0 + MINUTE, 10),
                store.complete(j.id(), null, JobState.SENT, T0, null),
                store.cancelFallbacks(j.messageId(), "u1"),
                store.jobsOf(j.messageId()),
                store.job(j.id()),
                store.deadLetters(new DeadLetterQuery(null, null, null, null, 10)),
                store.retryDead(j.id(), T0, T0 + HOUR),
                store.deleteDead(j.id()),
                store.putContacts("u1", new Contacts(Map.of(), Map.of(), T0)),
                store.contacts("u1"),
                store.deleteContacts("u1"),
                store.disableContact("u1", "email", "gone"),
                store.purgeFinished(T0));
        for (CompletableFuture<?> call : calls) {
            assertThatThrownBy(() -> await(call)).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(StoreUnavailableException.class);
        }
    }
}
