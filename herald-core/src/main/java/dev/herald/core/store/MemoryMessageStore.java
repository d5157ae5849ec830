package dev.herald.core.store;

import dev.herald.core.message.Target;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link MessageStore} in memory: a real implementation (it passes the same contract suite as the
 * databases), for tests and for runs that do not need messages to survive a restart. One lock guards
 * everything; completions run on one thread, in call order, as the contract requires.
 */
public final class MemoryMessageStore implements MessageStore {
    private final StoreLimits limits;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Entry> messages = new HashMap<>();
    private final Map<Target, Stream> streams = new HashMap<>();
    private final Map<String, String> idempotencyKeys = new HashMap<>();
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
    public CompletableFuture<List<Appended>> append(List<StoredMessage> batch) {
        lock.lock();
        try {
            List<Appended> results = new ArrayList<>(batch.size());
            for (StoredMessage m : batch) {
                results.add(appendOne(m));
            }
            return completeInOrder(results);
        } finally {
            lock.unlock();
        }
    }

    private Appended appendOne(StoredMessage m) {
        if (m.idempotencyKey() != null) {
            String first = idempotencyKeys.putIfAbsent(m.idempotencyKey(), m.id());
            if (first != null) {
                return new Appended(first, true);
            }
        }
        Entry entry = new Entry(m);
        messages.put(m.id(), entry);
        for (Target stream : m.streams()) {
            streams.computeIfAbsent(stream, s -> new Stream()).live.put(m.id(), entry);
        }
        return new Appended(m.id(), false);
    }

    @Override
    public CompletableFuture<Replay> replay(ReplayRequest request, long now) {
        lock.lock();
        try {
            Stream stream = streams.get(request.stream());
            if (stream == null) {
                return completeInOrder(new Replay(List.of(), false, false));
            }
            String after = request.afterId();
            boolean gap = after != null && stream.trimmedThrough != null && stream.trimmedThrough.compareTo(after) > 0;
            Map<String, Entry> candidates = after == null ? stream.live : stream.live.tailMap(after, false);
            List<StoredMessage> page = new ArrayList<>();
            boolean more = false;
            for (Entry e : candidates.values()) {
                if (e.message.expiresAt() <= now) {
                    gap |= after != null;
                    continue;
                }
                if (!pending(e, request)) {
                    continue;
                }
                if (page.size() == request.limit()) {
                    more = true;
                    break;
                }
                page.add(e.message);
            }
            return completeInOrder(new Replay(page, gap, more));
        } finally {
            lock.unlock();
        }
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
            return completeInOrder(Optional.of(new Receipt(e.message, recipients)));
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
                    for (Target stream : e.message.streams()) {
                        Stream st = streams.get(stream);
                        if (st != null) {
                            st.live.remove(e.message.id());
                        }
                    }
                }
            }
            streams.values().removeIf(st -> st.live.isEmpty() && st.trimmedThrough == null);
            return completeInOrder(new Maintenance(expired, dropped, purged));
        } finally {
            lock.unlock();
        }
    }

    private static String max(String a, String b) {
        return a == null || b.compareTo(a) > 0 ? b : a;
    }

    /** Called under the lock, so completions are queued in call order. */
    private <T> CompletableFuture<T> completeInOrder(T value) {
        CompletableFuture<T> future = new CompletableFuture<>();
        if (closed) {
            future.completeExceptionally(new StoreUnavailableException("the message store is closed"));
            return future;
        }
        try {
            completions.execute(() -> future.complete(value));
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
        /** Retained messages by id (ids sort in publish order). */
        final TreeMap<String, Entry> live = new TreeMap<>();
        /** The greatest id removed by the cap or the TTL: a reader behind it has a gap. */
        String trimmedThrough;
    }
}
