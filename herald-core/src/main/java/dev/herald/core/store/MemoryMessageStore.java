package dev.herald.core.store;

import dev.herald.core.message.Target;
import dev.herald.core.notify.Attempt;
import dev.herald.core.notify.Contacts;
import dev.herald.core.notify.DeadLetterQuery;
import dev.herald.core.notify.JobState;
import dev.herald.core.notify.NotifyJob;
import dev.herald.core.notify.NotifyStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link MessageStore} and {@link NotifyStore} in memory: a real implementation (it passes the same
 * contract suites as the databases), for tests and for runs that do not need messages to survive a restart.
 * One lock guards everything: a replay page and the head it names are one snapshot. Completions run on one
 * thread, in call order (so appends complete in commit order, as the contract requires).
 * Every stream gets a new epoch per store instance: nothing survives the instance, so positions from another
 * one (before a restart) never match.
 * Channel deliveries and contacts live in {@link MemoryNotifyState}.
 */
public final class MemoryMessageStore implements MessageStore, NotifyStore {
    private final StoreLimits limits;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Entry> messages = new HashMap<>();
    private final Map<Target, Stream> streams = new HashMap<>();
    private final Map<String, String> idempotencyKeys = new HashMap<>();
    private final MemoryNotifyState notify = new MemoryNotifyState();
    private final ExecutorService completions = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "herald-memory-store");
        t.setDaemon(true);
        return t;
    });
    private boolean closed;

    public MemoryMessageStore(StoreLimits limits) {
        this.limits = limits;
    }

    @Override
    public <T> CompletableFuture<T> append(List<StoredMessage> batch, Function<List<Appended>, T> committed) {
        lock.lock();
        try {
            List<Appended> results = new ArrayList<>(batch.size());
            for (StoredMessage m : batch) {
                results.add(appendOne(m));
            }
            return completeInOrder(results, committed);
        } finally {
            lock.unlock();
        }
    }

    private Appended appendOne(StoredMessage m) {
        if (m.idempotencyKey() != null) {
            String first = idempotencyKeys.putIfAbsent(m.idempotencyKey(), m.id());
            if (first != null) {
                return Appended.repeatOf(first, messages.get(first).message.requestHash(), m.requestHash());
            }
        }
        Map<Target, StreamPosition> positions = new LinkedHashMap<>();
        for (Target target : new LinkedHashSet<>(m.streams())) {
            Stream stream = streams.computeIfAbsent(target, t -> new Stream());
            positions.put(target, new StreamPosition(++stream.head, stream.epoch));
            if (stream.greatestId == null || m.id().compareTo(stream.greatestId) > 0) {
                stream.greatestId = m.id();
            }
        }
        Entry entry = new Entry(m.withPositions(positions));
        messages.put(m.id(), entry);
        notify.add(m.jobs());
        positions.forEach((target, position) -> streams.get(target).live.put(position.position(), entry));
        return Appended.appended(m.id(), positions);
    }

    @Override
    public CompletableFuture<Replay> replay(ReplayRequest request, long now) {
        lock.lock();
        try {
            Stream stream = streams.get(request.stream());
            if (stream == null) {
                // never appended to: a position names a history this store does not have
                return completeInOrder(new Replay(List.of(), request.afterPosition() != null, false, null));
            }
            return completeInOrder(replay(stream, request, now));
        } finally {
            lock.unlock();
        }
    }

    /**
     * A page after the cursor, in position order, up to the stream's head (or the request's bound): read under the
     * lock, so the page and the head it names are one snapshot. Positions are given out without gaps, so every
     * position between the cursor and the end of what was read that is not in the page was lost (trimmed, expired or
     * purged): that is the gap, exactly. A cursor of another epoch reads from the beginning, with a gap. An id cursor
     * is the id's position when the stream holds it, else the place before the first message with a greater id
     * (then a trim past the id is a gap too).
     */
    private static Replay replay(Stream stream, ReplayRequest request, long now) {
        Target target = request.stream();
        long head = Math.min(stream.head, request.upTo());
        long after = 0;
        boolean gap = false;
        if (request.afterPosition() != null) {
            boolean sameEpoch = stream.epoch.equals(request.afterPosition().epoch());
            after = sameEpoch ? Math.min(request.afterPosition().position(), head) : 0;
            gap = !sameEpoch;
        } else if (request.afterId() != null) {
            after = stream.positionOf(request.afterId(), target, head);
            gap = stream.trimmedThrough != null && stream.trimmedThrough.compareTo(request.afterId()) > 0
                    && stream.positionOf(request.afterId(), target) < 0;
        }
        List<StoredMessage> page = new ArrayList<>();
        boolean more = false;
        for (Entry e : stream.live.subMap(after, false, head, true).values()) {
            if (e.message.expiresAt() <= now || !pending(e, request)) {
                continue;
            }
            if (page.size() == request.limit()) {
                more = true;
                break;
            }
            page.add(e.message.withPositions(Map.of(target, e.message.position(target))));
        }
        long readTo = more ? page.get(page.size() - 1).position(target).position() : head;
        boolean cursor = request.afterPosition() != null || request.afterId() != null;
        boolean lost = cursor && request.pending() == ReplayRequest.Pending.ALL && page.size() < readTo - after;
        return new Replay(page, gap || lost, more, head == 0 ? null : new StreamPosition(head, stream.epoch));
    }

    private static boolean pending(Entry e, ReplayRequest request) {
        if (!(request.stream() instanceof Target.User user) || request.pending() == ReplayRequest.Pending.ALL) {
            return true;
        }
        Recipient r = e.recipients.get(user.userId());
        int below = request.pending() == ReplayRequest.Pending.UNDELIVERED ? DeliveryStatus.DELIVERED.rank() : DeliveryStatus.ACKED.rank();
        return r != null && r.rank < below;
    }

    @Override
    public CompletableFuture<Integer> updateStatus(List<StatusUpdate> updates) {
        lock.lock();
        try {
            int applied = 0;
            for (StatusUpdate u : updates) {
                Entry e = messages.get(u.messageId());
                Recipient r = e == null ? null : e.recipients.get(u.userId());
                if (r == null) {
                    continue;
                }
                applied++;
                int rank = u.status().rank();
                // every step up to the new one happened by now at the latest (an ack implies delivery)
                if (r.deliveredAt == null && rank >= DeliveryStatus.DELIVERED.rank()) {
                    r.deliveredAt = u.at();
                }
                if (r.ackedAt == null && rank >= DeliveryStatus.ACKED.rank()) {
                    r.ackedAt = u.at();
                }
                if (r.readAt == null && rank >= DeliveryStatus.READ.rank()) {
                    r.readAt = u.at();
                }
                r.rank = Math.max(r.rank, rank);
            }
            return completeInOrder(applied);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletableFuture<Optional<Receipt>> receipt(String messageId, long now) {
        lock.lock();
        try {
            Entry e = messages.get(messageId);
            if (e == null) {
                return completeInOrder(Optional.empty());
            }
            List<Receipt.Recipient> recipients = new ArrayList<>(e.recipients.size());
            e.recipients.forEach((user, r) -> recipients.add(new Receipt.Recipient(user, r.status(e.message, now),
                    r.deliveredAt, r.ackedAt, r.readAt)));
            return completeInOrder(Optional.of(new Receipt(e.message.withPositions(Map.of()), recipients)));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletableFuture<Maintenance> maintain(long now) {
        lock.lock();
        try {
            long dropped = 0;
            long expired = 0;
            for (Map.Entry<Target, Stream> s : streams.entrySet()) {
                Stream stream = s.getValue();
                Iterator<Entry> it = stream.live.values().iterator();
                int excess = stream.live.size() - limits.streamCap();
                while (it.hasNext()) {
                    Entry e = it.next();
                    if (excess > 0) {
                        excess--;
                        dropped++;
                        if (s.getKey() instanceof Target.User user) {
                            e.recipients.get(user.userId()).dropped = true;
                        }
                    } else if (e.message.expiresAt() > now) {
                        continue;
                    }
                    it.remove();
                    stream.trimmedThrough = max(stream.trimmedThrough, e.message.id());
                }
            }
            long purgeBefore = now - limits.receiptRetention().toMillis();
            long purged = 0;
            for (Iterator<Entry> it = messages.values().iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.message.expiresAt() <= now) {
                    for (Recipient r : e.recipients.values()) {
                        if (!r.expiredCounted && !r.dropped && r.rank < DeliveryStatus.ACKED.rank()) {
                            r.expiredCounted = true;
                            expired++;
                        }
                    }
                }
                if (e.message.expiresAt() <= purgeBefore) {
                    it.remove();
                    purged++;
                    if (e.message.idempotencyKey() != null) {
                        idempotencyKeys.remove(e.message.idempotencyKey(), e.message.id());
                    }
                    for (Map.Entry<Target, StreamPosition> p : e.message.positions().entrySet()) {
                        Stream st = streams.get(p.getKey());
                        if (st != null) {
                            st.live.remove(p.getValue().position());
                        }
                    }
                }
            }
            // streams are kept when they empty: their next message continues their positions in the same epoch
            return completeInOrder(new Maintenance(expired, dropped, purged));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletableFuture<Void> enqueue(List<NotifyJob> jobs) {
        return underLock(() -> {
            notify.add(jobs);
            return null;
        });
    }

    @Override
    public CompletableFuture<List<NotifyJob>> claimDue(String channel, long now, long leaseUntil, int limit) {
        return underLock(() -> notify.claimDue(channel, now, leaseUntil, limit));
    }

    @Override
    public CompletableFuture<Boolean> complete(String jobId, Attempt attempt, JobState next, long nextDueAt, String lastError) {
        return underLock(() -> notify.complete(jobId, attempt, next, nextDueAt, lastError));
    }

    @Override
    public CompletableFuture<Integer> cancelFallbacks(String messageId, String userId) {
        return underLock(() -> notify.cancelFallbacks(messageId, userId));
    }

    @Override
    public CompletableFuture<List<NotifyJob>> jobsOf(String messageId) {
        return underLock(() -> notify.jobsOf(messageId));
    }

    @Override
    public CompletableFuture<Optional<NotifyJob>> job(String jobId) {
        return underLock(() -> notify.job(jobId));
    }

    @Override
    public CompletableFuture<List<NotifyJob>> deadLetters(DeadLetterQuery query) {
        return underLock(() -> notify.deadLetters(query));
    }

    @Override
    public CompletableFuture<Long> countDeadLetters(String channel, String userId, String messageId) {
        return underLock(() -> notify.countDeadLetters(channel, userId, messageId));
    }

    @Override
    public CompletableFuture<Boolean> retryDead(String jobId, long now, long deadline) {
        return underLock(() -> notify.retryDead(jobId, now, deadline));
    }

    @Override
    public CompletableFuture<Boolean> deleteDead(String jobId) {
        return underLock(() -> notify.deleteDead(jobId));
    }

    @Override
    public CompletableFuture<Void> putContacts(String userId, Contacts contacts) {
        return underLock(() -> {
            notify.putContacts(userId, contacts);
            return null;
        });
    }

    @Override
    public CompletableFuture<Optional<Contacts>> contacts(String userId) {
        return underLock(() -> notify.contacts(userId));
    }

    @Override
    public CompletableFuture<Boolean> deleteContacts(String userId) {
        return underLock(() -> notify.deleteContacts(userId));
    }

    @Override
    public CompletableFuture<Void> disableContact(String userId, String channel, String reason) {
        return underLock(() -> {
            notify.disableContact(userId, channel, reason);
            return null;
        });
    }

    @Override
    public CompletableFuture<Integer> purgeFinished(long before) {
        return underLock(() -> notify.purgeFinished(before));
    }

    /** Runs {@code work} under the lock unless the store is closed, and completes with its result in call order. */
    private <T> CompletableFuture<T> underLock(Supplier<T> work) {
        lock.lock();
        try {
            return completeInOrder(closed ? null : work.get());
        } finally {
            lock.unlock();
        }
    }

    private static String max(String a, String b) {
        return a == null || b.compareTo(a) > 0 ? b : a;
    }

    /** Called under the lock, so completions are queued in call order. */
    private <T> CompletableFuture<T> completeInOrder(T value) {
        return completeInOrder(value, Function.identity());
    }

    /** Called under the lock: runs {@code then} on the completion thread, in call order, and completes with its result. */
    private <V, T> CompletableFuture<T> completeInOrder(V value, Function<V, T> then) {
        CompletableFuture<T> future = new CompletableFuture<>();
        if (closed) {
            future.completeExceptionally(new StoreUnavailableException("the message store is closed"));
            return future;
        }
        try {
            completions.execute(() -> {
                T result;
                try {
                    result = then.apply(value);
                } catch (RuntimeException | Error e) {
                    future.completeExceptionally(e);
                    return;
                }
                future.complete(result);
            });
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new StoreUnavailableException("the message store is closed", e));
        }
        return future;
    }

    @Override
    public String describe() {
        return "memory (messages are lost on restart)";
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        completions.shutdown();
    }

    private static final class Entry {
        final StoredMessage message;
        final Map<String, Recipient> recipients = new LinkedHashMap<>();

        Entry(StoredMessage message) {
            this.message = message;
            for (String user : message.users()) {
                recipients.put(user, new Recipient());
            }
        }
    }

    private static final class Recipient {
        int rank = DeliveryStatus.ACCEPTED.rank();
        Long deliveredAt;
        Long ackedAt;
        Long readAt;
        boolean dropped;
        boolean expiredCounted;

        DeliveryStatus status(StoredMessage m, long now) {
            if (rank >= DeliveryStatus.ACKED.rank()) {
                return DeliveryStatus.ofRank(rank);
            }
            if (dropped) {
                return DeliveryStatus.DROPPED;
            }
            return m.expiresAt() <= now ? DeliveryStatus.EXPIRED : DeliveryStatus.ofRank(rank);
        }
    }

    private static final class Stream {
        /** Retained messages by position. */
        final TreeMap<Long, Entry> live = new TreeMap<>();
        /** The greatest id removed by the cap or the TTL: a reader behind it has a gap. */
        String trimmedThrough;
        /** The last position given out (0 before the first message). */
        long head;
        /** The greatest id ever appended: a cursor above it is past every message, without a scan. */
        String greatestId;
        final String epoch = StreamPosition.newEpoch();

        /** The position of the retained message {@code id}, or -1 when the stream does not hold it. */
        long positionOf(String id, Target target) {
            for (Entry e : live.values()) {
                if (e.message.id().equals(id)) {
                    return e.message.position(target).position();
                }
            }
            return -1;
        }

        /**
         * Where a replay after the message {@code id} starts: its position when the stream holds it; otherwise just
         * before the first message with a greater id (at most {@code head}).
         */
        long positionOf(String id, Target target, long head) {
            if (greatestId == null || id.compareTo(greatestId) > 0) {
                return head; // e.g. ReplayFrom.HEAD, which every login reads the broadcast log with
            }
            long exact = positionOf(id, target);
            if (exact >= 0) {
                return Math.min(exact, head);
            }
            for (Entry e : live.values()) {
                if (e.message.id().compareTo(id) > 0) {
                    return Math.min(e.message.position(target).position() - 1, head);
                }
            }
            return head;
        }
    }
}
