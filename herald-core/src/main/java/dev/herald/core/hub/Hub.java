package dev.herald.core.hub;

import dev.herald.core.message.Message;
import dev.herald.core.message.Target;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.DeliveryLane;
import dev.herald.core.session.Session;
import dev.herald.core.store.StreamPosition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The registry of this node's authenticated connections: user id → sessions (many per user: tabs,
 * devices) and topic → sessions, plus fan-out of messages to them.
 *
 * <p>Users are sharded by a hash of the id, one lock per shard, so connects and disconnects of
 * different users rarely contend. Each user's sessions are an immutable array swapped under the
 * shard lock: delivery reads it without locking. Removal is identity-checked: a stale session's
 * late close can never remove a newer session of the same user.
 *
 * <p>Sessions are also grouped by the transport thread that owns them ({@link DeliveryLane}): a
 * broadcast hands each lane one walk over its own sessions, run on that thread, instead of walking
 * every session on the publishing thread. Messages from one publisher still reach each session in
 * publish order: while a lane has walks waiting, deliveries to its sessions queue behind them.
 *
 * <p>Thread-safe. No method blocks on I/O: delivery only enqueues onto sessions' bounded queues.
 */
public final class Hub {
    public static final int DEFAULT_SHARDS = 64;

    private final Shard[] shards;
    private final int maxConnectionsPerUser;
    private final HubStats stats;
    private final ConcurrentHashMap<String, Set<BaseSession>> topics = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger users = new AtomicInteger();
    /** Connections per {@link dev.herald.core.session.Session#transport}: a handful of keys, made on first use. */
    private final java.util.concurrent.ConcurrentHashMap<String, AtomicInteger> byTransport = new java.util.concurrent.ConcurrentHashMap<>(4);
    /** Sessions without a transport thread of their own: walked on the publishing thread. */
    private final DeliveryLane callerLane = DeliveryLane.callerRuns();
    /** Every lane a session was ever registered in (a transport has a handful: one per event loop). */
    private final Set<DeliveryLane> lanes = ConcurrentHashMap.newKeySet();
    private volatile HubObserver observer = HubObserver.NONE;

    public Hub(int maxConnectionsPerUser, HubStats stats) {
        this(DEFAULT_SHARDS, maxConnectionsPerUser, stats);
    }

    public Hub(int shardCount, int maxConnectionsPerUser, HubStats stats) {
        if (Integer.bitCount(shardCount) != 1) {
            throw new IllegalArgumentException("shardCount must be a power of two: " + shardCount);
        }
        this.shards = new Shard[shardCount];
        for (int i = 0; i < shardCount; i++) {
            shards[i] = new Shard();
        }
        this.maxConnectionsPerUser = maxConnectionsPerUser;
        this.stats = stats;
        lanes.add(callerLane);
    }

    /** Set once, before the first session arrives (the cluster's presence); {@link HubObserver#NONE} by default. */
    public void observe(HubObserver observer) {
        this.observer = observer;
    }

    private DeliveryLane laneOf(BaseSession session) {
        DeliveryLane lane = session.lane();
        return lane == null ? callerLane : lane;
    }

    /** Under the shard lock, with the session's addition to the user map. */
    private void joinLane(BaseSession session) {
        DeliveryLane lane = laneOf(session);
        lanes.add(lane);
        lane.add(session);
    }

    /** What {@link #add} did. {@code FIRST} is when a cluster node subscribes to the user's channel. */
    public enum AddResult { FIRST, ADDED, TOO_MANY_CONNECTIONS }

    /** Registers an authenticated session under its user id. */
    public AddResult add(BaseSession session) {
        AddResult result = addLocked(session);
        if (result != AddResult.TOO_MANY_CONNECTIONS) {
            observer.added(session);
        }
        return result;
    }

    private AddResult addLocked(BaseSession session) {
        String userId = session.userId();
        Shard shard = shard(userId);
        synchronized (shard) {
            BaseSession[] current = shard.users.get(userId);
            if (current == null) {
                shard.users.put(userId, new BaseSession[] {session});
                joinLane(session);
                connections.incrementAndGet();
                transportCount(session).incrementAndGet();
                users.incrementAndGet();
                stats.connectionsOpened.increment();
                return AddResult.FIRST;
            }
            if (current.length >= maxConnectionsPerUser) {
                stats.connectionsRejected.increment();
                return AddResult.TOO_MANY_CONNECTIONS;
            }
            BaseSession[] next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = session;
            shard.users.put(userId, next);
            joinLane(session);
            connections.incrementAndGet();
            transportCount(session).incrementAndGet();
            stats.connectionsOpened.increment();
            return AddResult.ADDED;
        }
    }

    /**
     * Removes exactly this session (identity, not equality) and its topic subscriptions. Returns
     * {@code true} when it was the user's last session on this node. Idempotent.
     */
    public boolean remove(BaseSession session) {
        for (String topic : session.topics()) {
            unsubscribeLocal(session, topic);
        }
        Boolean last = removeLocked(session);
        if (last == null) {
            return false;
        }
        observer.removed(session);
        return last;
    }

    /** {@code null} when the session was not (or no longer) in the hub, else whether it was its user's last. */
    private Boolean removeLocked(BaseSession session) {
        String userId = session.userId();
        if (userId == null) {
            return null;
        }
        Shard shard = shard(userId);
        synchronized (shard) {
            BaseSession[] current = shard.users.get(userId);
            if (current == null) {
                return null;
            }
            int index = -1;
            for (int i = 0; i < current.length; i++) {
                if (current[i] == session) {
                    index = i;
                    break;
                }
            }
            if (index < 0) {
                return null; // stale: this session was already removed, a newer one stays
            }
            connections.decrementAndGet();
            transportCount(session).decrementAndGet();
            laneOf(session).remove(session);
            if (current.length == 1) {
                shard.users.remove(userId);
                users.decrementAndGet();
                return true;
            }
            BaseSession[] next = new BaseSession[current.length - 1];
            System.arraycopy(current, 0, next, 0, index);
            System.arraycopy(current, index + 1, next, index, current.length - index - 1);
            shard.users.put(userId, next);
            return false;
        }
    }

    /** Adds a topic subscription. Returns {@code false} if the session already followed it. */
    public boolean subscribe(BaseSession session, String topic) {
        if (session.isClosed() || !session.followedTopics().add(topic)) {
            return false;
        }
        // add inside compute: with computeIfAbsent(..).add(..) a concurrent unsubscribe could drop the
        // (momentarily empty) set from the map between the two calls, orphaning this subscription
        topics.compute(topic, (t, set) -> {
            Set<BaseSession> followers = set == null ? ConcurrentHashMap.newKeySet() : set;
            followers.add(session);
            return followers;
        });
        if (session.isClosed()) {
            unsubscribeLocal(session, topic); // lost a race with remove(): do not leak the entry
            return true;
        }
        observer.topicsChanged(session);
        return true;
    }

    public boolean unsubscribe(BaseSession session, String topic) {
        boolean was = unsubscribeLocal(session, topic);
        if (was && !session.isClosed()) {
            observer.topicsChanged(session);
        }
        return was;
    }

    private boolean unsubscribeLocal(BaseSession session, String topic) {
        boolean was = session.topics().remove(topic);
        topics.computeIfPresent(topic, (t, set) -> {
            set.remove(session);
            return set.isEmpty() ? null : set;
        });
        return was;
    }

    /** The user's sessions on this node (a snapshot; empty when offline). */
    public List<Session> sessions(String userId) {
        BaseSession[] current = shard(userId).users.get(userId);
        return current == null ? List.of() : List.of(current);
    }

    /**
     * Queues the message to every session the targets name, each session at most once, and returns
     * how many sessions accepted it. A delivery that has to wait for its lane (a broadcast walked on
     * another thread, or a message queued behind one) counts as accepted when it is handed over; a
     * session that then refuses it shows in {@code dropped}, as any refusal does.
     */
    public int deliver(List<Target> targets, Message message) {
        if (targets.size() == 1) {
            return deliver(targets.get(0), message, null);
        }
        Set<Session> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        int delivered = 0;
        for (Target target : targets) {
            delivered += deliver(target, message, seen);
        }
        return delivered;
    }

    private int deliver(Target target, Message message, Set<Session> seen) {
        return switch (target) {
            case Target.User user -> {
                BaseSession[] sessions = shard(user.userId()).users.get(user.userId());
                int n = 0;
                if (sessions != null) {
                    for (BaseSession s : sessions) {
                        n += offerInOrder(s, message, user, seen, message.durable());
                    }
                }
                yield n;
            }
            case Target.Topic topic -> {
                Set<BaseSession> followers = topics.get(topic.name());
                int n = 0;
                if (followers != null) {
                    for (BaseSession s : followers) {
                        n += offerInOrder(s, message, topic, seen, false);
                    }
                }
                yield n;
            }
            case Target.Everyone everyone when seen == null -> broadcast(message);
            case Target.Everyone everyone -> { // with other targets (never from a publish request): one walk, deduplicated
                int n = 0;
                for (Shard shard : shards) {
                    for (BaseSession[] sessions : shard.users.values()) {
                        for (BaseSession s : sessions) {
                            n += offerInOrder(s, message, everyone, seen, false);
                        }
                    }
                }
                yield n;
            }
        };
    }

    /**
     * Every session, one walk per lane on the lane's own thread (at once when the publisher is on that
     * thread and nothing waits there). A lane walked later counts the sessions it held when handed over.
     */
    private int broadcast(Message message) {
        int n = 0;
        for (DeliveryLane lane : lanes) {
            int size = lane.size();
            if (size == 0) {
                continue;
            }
            LaneWalk walk = new LaneWalk(message);
            n += lane.runInOrder(() -> lane.forEach(walk), true) ? walk.delivered : size;
        }
        return n;
    }

    /** One lane's part of a broadcast. Runs on one thread at a time. */
    private final class LaneWalk implements Consumer<BaseSession> {
        private final Message message;
        int delivered;

        LaneWalk(Message message) {
            this.message = message;
        }

        @Override
        public void accept(BaseSession session) {
            delivered += offer(session, message, Target.Everyone.INSTANCE, null, false);
        }
    }

    /**
     * {@link #offer}, or, while the session's lane has work waiting (a broadcast walk), a task behind it:
     * a message never overtakes one its publisher published earlier. Counted as accepted when handed over.
     */
    private int offerInOrder(BaseSession session, Message message, Target viaStream, Set<Session> seen, boolean tracked) {
        DeliveryLane lane = laneOf(session);
        if (!lane.busy()) {
            return offer(session, message, viaStream, seen, tracked);
        }
        if (seen != null && !seen.add(session)) {
            return 0;
        }
        lane.runInOrder(() -> offer(session, message, viaStream, null, tracked), false);
        return 1;
    }

    /**
     * {@code viaStream}: the stream it reaches the session through (the user's inbox, a topic, everyone), whose
     * position its frame names; {@code tracked}: a durable message addressed to the session's user, whose delivery
     * becomes a receipt.
     */
    private int offer(BaseSession session, Message message, Target viaStream, Set<Session> seen, boolean tracked) {
        if (seen != null && !seen.add(session)) {
            return 0;
        }
        byte[] frame = session.protocol() == Session.Protocol.SEED
                ? message.rawFrame()
                : message.envelopeFrame(viaStream);
        if (session.deliver(viaStream, message.position(viaStream), message.id(), frame, tracked)) {
            stats.messagesOut.increment();
            if (message.positions().size() > 1) {
                // sent once, through viaStream: the other streams the session follows move past it too
                for (Map.Entry<Target, StreamPosition> e : message.positions().entrySet()) {
                    if (!e.getKey().equals(viaStream)) {
                        session.cursors().passed(e.getKey(), e.getValue());
                    }
                }
            }
            return 1;
        }
        stats.dropped.increment();
        return 0;
    }

    /** Visits every session on this node (weakly consistent, never blocks connects). */
    public void forEach(Consumer<? super BaseSession> action) {
        for (Shard shard : shards) {
            for (BaseSession[] sessions : shard.users.values()) {
                for (BaseSession s : sessions) {
                    action.accept(s);
                }
            }
        }
    }

    /**
     * Every session catches up on every stream it follows from the store, from its cursor
     * ({@link dev.herald.core.session.StreamCursors#catchUp}): after the broker lost other nodes' envelopes for a while.
     * Only starts the reads (they run on the store's threads); returns how many were started.
     */
    public int catchUp() {
        int[] started = {0};
        forEach(s -> {
            if (!s.isClosed()) {
                started[0] += s.cursors().catchUp();
            }
        });
        return started[0];
    }

    /** All sessions as a snapshot list (for shutdown and sweeps). */
    public List<BaseSession> snapshot() {
        List<BaseSession> all = new ArrayList<>(connections.get());
        forEach(all::add);
        return all;
    }

    public int connectionCount() {
        return connections.get();
    }

    private AtomicInteger transportCount(BaseSession session) {
        return byTransport.computeIfAbsent(session.transport(), t -> new AtomicInteger());
    }

    /** Connections per transport ({@code websocket}, {@code sse}); a transport with none may be absent or 0. */
    public java.util.Map<String, Integer> connectionsByTransport() {
        java.util.Map<String, Integer> out = new java.util.TreeMap<>();
        byTransport.forEach((transport, count) -> out.put(transport, count.get()));
        return out;
    }

    public int userCount() {
        return users.get();
    }

    public int topicCount() {
        return topics.size();
    }

    private Shard shard(String userId) {
        return shards[shardIndex(userId.hashCode(), shards.length)];
    }

    /**
     * The shard for a key hash: the high bits of the hash after a full avalanche (MurmurHash3's
     * finaliser). Not the low bits of {@code h ^ h >>> 16}: each shard's {@link ConcurrentHashMap}
     * picks its bin from exactly those, so a shard chosen from them gets keys that all share them and
     * its map uses only 1/{@code shardCount} of its bins (treeified, a tree walk per lookup). A plain
     * multiplicative hash is not enough either: with sequential ids ({@code u0, u1, …}) it still
     * leaves some shards half their bins.
     */
    static int shardIndex(int hash, int shardCount) {
        int h = hash;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return shardCount == 1 ? 0 : h >>> (32 - Integer.numberOfTrailingZeros(shardCount));
    }

    /** One lock (the shard itself) guarding writes; reads go straight to the concurrent map. */
    private static final class Shard {
        final Map<String, BaseSession[]> users = new ConcurrentHashMap<>();
    }
}
