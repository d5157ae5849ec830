package dev.herald.server.cluster;

import dev.herald.core.LogSafe;
import dev.herald.core.NodeConnections;
import dev.herald.core.PushCenter;
import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubObserver;
import dev.herald.core.hub.HubStats;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import dev.herald.core.store.StreamPosition;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Cluster-wide presence, stats, kicks and the per-user cap, kept in Redis beside the broker's channels.
 *
 * <p><b>Keys</b> (all under {@code cluster.channel-prefix}): {@code <p>:node:<instance>} holds a node's stats and
 * lives {@code cluster.node-ttl}, renewed every {@code cluster.heartbeat}; {@code <p>:nodes} is the set of instances
 * that wrote one; {@code <p>:presence:<uid>} is a hash, connection id to the connection's JSON (its node, instance,
 * address, protocol, connectedAt, topics), written when the hub takes the session in, deleted when it leaves.
 *
 * <p><b>Why state in Redis, not asking the nodes over pub/sub:</b> a read is two round trips to Redis whatever the
 * number of nodes, and never waits for the slowest node or for a deadline; the per-user cap needs the count on the
 * connect path, where a scatter-gather with a deadline would add its whole deadline to a login. The price is one
 * HSET and one HDEL per connection, on one pipelined connection.
 *
 * <p><b>Liveness:</b> an entry counts only while its instance's heartbeat key exists, so a node that died (or lost
 * Redis) drops out of every view at most {@code cluster.node-ttl} after its last heartbeat, at once for all of its
 * connections; its entries are deleted by the next read that meets them. A node that closes deletes its key and
 * its entries itself. A node that gets Redis back rewrites its heartbeat and every one of its connections.
 *
 * <p><b>Order:</b> every write goes over one connection, in call order, so a connection's HDEL never overtakes its
 * HSET. <b>Redis down:</b> views answer this node's part with {@code "partial":true}; the cap falls back to this
 * node's count (fail open: a user may then hold up to the cap on each node); kicks reach this node only.
 * Thread-safe: the hub calls {@link #added}/{@link #removed} from any thread; the Redis work runs on one context.
 */
public final class RedisClusterViews implements ClusterViews, HubObserver {
    private static final Logger log = LoggerFactory.getLogger(RedisClusterViews.class);

    private final Vertx vertx;
    private final Context context;
    private final Redis client;
    private final String redactedUrl;
    private final String nodeId;
    private final String instance;
    private final String prefix;
    private final Duration heartbeat;
    private final Duration ttl;
    private final PushCenter center;
    private final Hub hub;
    private final HubStats stats;
    private final int maxConnectionsPerUser;
    private final Supplier<JsonObject> thisNodeStats;
    private volatile RedisConnection writer;
    private volatile RedisConnection subscriber;
    private boolean connectingWriter;
    private boolean connectingSubscriber;
    private volatile boolean closed;
    private long timer = -1;

    /**
     * @param thisNodeStats this node's counters as {@code GET /api/v1/stats} shows them (written with each heartbeat)
     */
    public RedisClusterViews(Vertx vertx, String url, String nodeId, String prefix, Duration heartbeat, Duration ttl,
                             PushCenter center, Hub hub, HubStats stats, int maxConnectionsPerUser,
                             Supplier<JsonObject> thisNodeStats) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(url).setMaxPoolSize(4).setMaxWaitingHandlers(1024));
        this.redactedUrl = RedisUrl.redact(url);
        this.nodeId = nodeId;
        this.instance = nodeId + "/" + StreamPosition.newEpoch();
        this.prefix = prefix;
        this.heartbeat = heartbeat;
        this.ttl = ttl;
        this.center = center;
        this.hub = hub;
        this.stats = stats;
        this.maxConnectionsPerUser = maxConnectionsPerUser;
        this.thisNodeStats = thisNodeStats;
    }

    /** Connects, writes the first heartbeat, and renews it every {@code heartbeat}; a Redis not there yet is retried then. */
    public void start() {
        context.runOnContext(v -> {
            tick();
            timer = vertx.setPeriodic(heartbeat.toMillis(), id -> tick());
        });
    }

    private String nodeKey(String inst) {
        return prefix + ":node:" + inst;
    }

    private String nodesKey() {
        return prefix + ":nodes";
    }

    private String presenceKey(String userId) {
        return prefix + ":presence:" + userId;
    }

    private String controlChannel() {
        return prefix + ":control";
    }

    // ---- heartbeat and connections (on the context) ----

    private void tick() {
        if (closed) {
            return;
        }
        RedisConnection w = writer;
        if (w == null) {
            connectWriter();
        } else {
            beat(w);
        }
        if (subscriber == null) {
            connectSubscriber();
        }
    }

    private void beat(RedisConnection w) {
        send(w, Request.cmd(Command.SET).arg(nodeKey(instance)).arg(thisNodeStats.get().encode()).arg("PX").arg(ttl.toMillis()));
        send(w, Request.cmd(Command.SADD).arg(nodesKey()).arg(instance));
    }

    private void connectWriter() {
        if (connectingWriter || closed) {
            return;
        }
        connectingWriter = true;
        client.connect().onComplete(ar -> {
            connectingWriter = false;
            if (ar.failed()) {
                log.debug("cluster views: cannot reach {} yet ({}); again at the next heartbeat", redactedUrl,
                        LogSafe.value(String.valueOf(ar.cause().getMessage())));
                return;
            }
            RedisConnection c = ar.result();
            c.exceptionHandler(e -> lost(c));
            c.endHandler(v -> lost(c));
            writer = c;
            beat(c);
            // entries written while Redis was away were lost (or Redis restarted empty): write them all again
            for (BaseSession s : hub.snapshot()) {
                if (s.userId() != null && !s.isClosed()) {
                    send(c, Request.cmd(Command.HSET).arg(presenceKey(s.userId())).arg(s.id()).arg(entry(s).encode()));
                }
            }
            log.info("cluster views: heartbeat of {} every {} ms (ttl {} ms) on {}", instance, heartbeat.toMillis(), ttl.toMillis(), redactedUrl);
        });
    }

    private void connectSubscriber() {
        if (connectingSubscriber || closed) {
            return;
        }
        connectingSubscriber = true;
        client.connect().onComplete(ar -> {
            connectingSubscriber = false;
            if (ar.failed()) {
                return; // the writer logs the outage; retried at the next heartbeat
            }
            RedisConnection c = ar.result();
            c.handler(this::onControl);
            c.exceptionHandler(e -> lost(c));
            c.endHandler(v -> lost(c));
            c.send(Request.cmd(Command.SUBSCRIBE).arg(controlChannel())).onComplete(s -> {
                if (s.failed()) {
                    lost(c);
                } else {
                    subscriber = c;
                }
            });
        });
    }

    private void lost(RedisConnection c) {
        context.runOnContext(v -> {
            if (writer == c) {
                writer = null;
                if (!closed) {
                    log.warn("cluster views: lost Redis at {}: presence, stats and kicks cover this node only, and the "
                            + "per-user cap counts this node's connections, until it is back", redactedUrl);
                }
            }
            if (subscriber == c) {
                subscriber = null;
            }
            c.close();
        });
    }

    private static Future<Response> send(RedisConnection c, Request request) {
        return c.send(request);
    }

    /** A write, in call order with every other write (one connection, one context); dropped while Redis is away. */
    private void write(Request request) {
        context.runOnContext(v -> {
            RedisConnection w = writer;
            if (w != null && !closed) {
                w.send(request);
            }
        });
    }

    // ---- the hub's side ----

    private JsonObject entry(BaseSession s) {
        return new JsonObject().put("id", s.id()).put("node", nodeId).put("instance", instance)
                .put("remoteAddress", s.remoteAddress()).put("protocol", s.protocol().wireName()).put("transport", s.transport())
                .put("connectedAt", s.connectedAt().toString()).put("topics", new JsonArray(List.copyOf(s.topicsView())));
    }

    @Override
    public void added(BaseSession session) {
        String key = presenceKey(session.userId());
        String json = entry(session).encode();
        context.runOnContext(v -> {
            RedisConnection w = writer;
            if (w == null || closed) {
                return; // fail open: this node's own cap already held
            }
            w.send(Request.cmd(Command.HSET).arg(key).arg(session.id()).arg(json))
                    .compose(ok -> liveEntries(w, session.userId()))
                    .onSuccess(live -> enforceCap(session, live))
                    .onFailure(e -> log.debug("cluster views: cap check for {} skipped ({})", LogSafe.value(session.userId()),
                            LogSafe.value(String.valueOf(e.getMessage()))));
        });
    }

    /**
     * The cap across nodes: the user's live connections ranked by (connectedAt, id), every node ranks them the same;
     * the one ranked at or past the cap is closed with 4009, as a node's own cap does. Two connections racing on two
     * nodes for the last place may both be refused (never both admitted past the cap).
     */
    private void enforceCap(BaseSession session, List<JsonObject> live) {
        if (live.size() <= maxConnectionsPerUser) {
            return;
        }
        List<JsonObject> ranked = new ArrayList<>(live);
        ranked.sort(Comparator.comparing((JsonObject e) -> e.getString("connectedAt", "")).thenComparing(e -> e.getString("id", "")));
        for (int i = maxConnectionsPerUser; i < ranked.size(); i++) {
            if (session.id().equals(ranked.get(i).getString("id"))) {
                stats.connectionsRejected.increment();
                log.info("user '{}' holds its maximum of {} connections across the cluster: connection {} refused (4009)",
                        LogSafe.value(session.userId()), maxConnectionsPerUser, session.id());
                session.close(CloseReason.TOO_MANY_CONNECTIONS);
                return;
            }
        }
    }

    @Override
    public void removed(BaseSession session) {
        write(Request.cmd(Command.HDEL).arg(presenceKey(session.userId())).arg(session.id()));
    }

    @Override
    public void topicsChanged(BaseSession session) {
        if (session.userId() != null) {
            write(Request.cmd(Command.HSET).arg(presenceKey(session.userId())).arg(session.id()).arg(entry(session).encode()));
        }
    }

    // ---- reads ----

    /**
     * The user's entries whose node is alive (this node's included, as Redis has them); the entries of dead nodes
     * are deleted on the way.
     */
    private Future<List<JsonObject>> liveEntries(RedisConnection via, String userId) {
        String key = presenceKey(userId);
        return via.send(Request.cmd(Command.HGETALL).arg(key)).compose(all -> {
            Map<String, JsonObject> entries = new LinkedHashMap<>();
            RedisReplies.asMap(all).forEach((id, json) -> {
                try {
                    entries.put(id, new JsonObject(json));
                } catch (RuntimeException e) {
                    entries.put(id, new JsonObject()); // not ours: counted dead, deleted
                }
            });
            return alive(via, entries.values().stream().map(e -> e.getString("instance", "")).toList()).map(alive -> {
                List<JsonObject> live = new ArrayList<>();
                Request cleanup = Request.cmd(Command.HDEL).arg(key);
                int dead = 0;
                for (Map.Entry<String, JsonObject> e : entries.entrySet()) {
                    if (alive.contains(e.getValue().getString("instance", ""))) {
                        live.add(e.getValue());
                    } else {
                        cleanup.arg(e.getKey());
                        dead++;
                    }
                }
                if (dead > 0) {
                    write(cleanup);
                }
                return live;
            });
        });
    }

    /** Which of these instances have a heartbeat key now (this one always counts). */
    private Future<Set<String>> alive(RedisConnection via, List<String> instances) {
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(instances));
        distinct.remove(instance);
        Set<String> alive = new LinkedHashSet<>();
        alive.add(instance);
        distinct.removeIf(String::isEmpty);
        if (distinct.isEmpty()) {
            return Future.succeededFuture(alive);
        }
        Request mget = Request.cmd(Command.MGET);
        distinct.forEach(i -> mget.arg(nodeKey(i)));
        return via.send(mget).map(values -> {
            for (int i = 0; i < distinct.size(); i++) {
                if (values.get(i) != null) {
                    alive.add(distinct.get(i));
                }
            }
            return alive;
        });
    }

    /**
     * Runs a Redis read with the pooled client. With Redis known to be away (the heartbeat connection is down), or
     * no answer within {@code cluster.node-ttl} (a silent split), the future completes with {@code null} at once
     * or then: an operator's read never hangs on Redis for longer.
     */
    private <T> CompletableFuture<T> read(java.util.function.Function<RedisConnection, Future<T>> operation) {
        CompletableFuture<T> out = new CompletableFuture<>();
        if (closed || writer == null) {
            out.complete(null);
            return out;
        }
        context.runOnContext(v -> {
            long deadline = vertx.setTimer(ttl.toMillis(), id -> out.complete(null));
            client.connect()
                    .compose(c -> operation.apply(c).eventually(() -> c.close()))
                    .onComplete(ar -> {
                        vertx.cancelTimer(deadline);
                        out.complete(ar.succeeded() ? ar.result() : null);
                    });
        });
        return out;
    }

    @Override
    public CompletableFuture<JsonObject> presence(String userId) {
        NodeConnections.Presence local = center.presence(userId); // validates the user id first
        return read(c -> liveEntries(c, userId)).thenApply(live -> {
            if (live == null) {
                return LocalClusterViews.render(local, nodeId, List.of()).put("partial", true);
            }
            List<JsonObject> others = new ArrayList<>();
            for (JsonObject e : live) {
                if (!instance.equals(e.getString("instance"))) {
                    JsonObject copy = e.copy();
                    copy.remove("instance");
                    others.add(copy);
                }
            }
            return LocalClusterViews.render(local, nodeId, others);
        });
    }

    /**
     * Whether {@code userId} has a live connection on another node ({@link dev.herald.core.PushCenter#onlineElsewhere}):
     * false when Redis cannot be read, since a message then cannot cross nodes either.
     */
    public CompletableFuture<Boolean> onlineElsewhere(String userId) {
        return read(c -> liveEntries(c, userId)).thenApply(live -> live != null
                && live.stream().anyMatch(e -> !instance.equals(e.getString("instance"))));
    }

    @Override
    public CompletableFuture<JsonObject> stats(JsonObject thisNode) {
        return read(c -> c.send(Request.cmd(Command.SMEMBERS).arg(nodesKey())).compose(members -> {
            List<String> others = new ArrayList<>();
            for (Response m : members) {
                if (!instance.equals(m.toString())) {
                    others.add(m.toString());
                }
            }
            if (others.isEmpty()) {
                return Future.succeededFuture(List.<JsonObject>of());
            }
            Request mget = Request.cmd(Command.MGET);
            others.forEach(i -> mget.arg(nodeKey(i)));
            return c.send(mget).map(values -> {
                List<JsonObject> nodes = new ArrayList<>();
                Request gone = Request.cmd(Command.SREM).arg(nodesKey());
                int dead = 0;
                for (int i = 0; i < others.size(); i++) {
                    Response v = values.get(i);
                    if (v == null) {
                        gone.arg(others.get(i));
                        dead++;
                    } else {
                        nodes.add(new JsonObject(v.toString()));
                    }
                }
                if (dead > 0) {
                    write(gone);
                }
                return nodes;
            });
        })).thenApply(others -> {
            List<JsonObject> nodes = new ArrayList<>();
            nodes.add(thisNode);
            if (others != null) {
                nodes.addAll(others);
            }
            JsonObject answer = StatsJson.withNodes(thisNode, nodes);
            return others == null ? answer.put("partial", true) : answer;
        });
    }

    @Override
    public CompletableFuture<Integer> kick(String userId, String connectionId) {
        int here = center.kick(userId, connectionId); // validates the user id first
        return read(c -> liveEntries(c, userId).compose(live -> {
            int elsewhere = 0;
            for (JsonObject e : live) {
                if (!instance.equals(e.getString("instance"))
                        && (connectionId == null || connectionId.equals(e.getString("id")))) {
                    elsewhere++;
                }
            }
            if (elsewhere == 0) {
                return Future.succeededFuture(0);
            }
            JsonObject order = new JsonObject().put("kick", userId).put("connection", connectionId).put("from", instance);
            int reached = elsewhere;
            return c.send(Request.cmd(Command.PUBLISH).arg(controlChannel()).arg(order.encode())).map(r -> reached);
        })).thenApply(elsewhere -> here + (elsewhere == null ? 0 : elsewhere));
    }

    /** A kick from another node: close the named connections here. */
    private void onControl(Response push) {
        if (push == null || push.size() < 3 || !"message".equals(String.valueOf(push.get(0)))) {
            return;
        }
        try {
            JsonObject order = new JsonObject(push.get(2).toString());
            if (instance.equals(order.getString("from")) || order.getString("kick") == null) {
                return;
            }
            center.kick(order.getString("kick"), order.getString("connection"));
        } catch (RuntimeException e) {
            log.warn("cluster views: ignored an unreadable control message ({})", LogSafe.value(String.valueOf(e.getMessage())));
        }
    }

    /** Whether the heartbeat connection is up (for tests). */
    public boolean connected() {
        return writer != null && subscriber != null;
    }

    /** This process's name in Redis: the node id and a per-process suffix. */
    public String instance() {
        return instance;
    }

    /**
     * Leaves the cluster at once: deletes this node's heartbeat key and its connections' entries (those still in
     * the hub; the others were deleted as they left), rather than letting them expire.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            closed = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            RedisConnection w = writer;
            Future<?> last = Future.succeededFuture();
            if (w != null) {
                for (BaseSession s : hub.snapshot()) {
                    if (s.userId() != null) {
                        w.send(Request.cmd(Command.HDEL).arg(presenceKey(s.userId())).arg(s.id()));
                    }
                }
                w.send(Request.cmd(Command.SREM).arg(nodesKey()).arg(instance));
                last = w.send(Request.cmd(Command.DEL).arg(nodeKey(instance)));
            }
            last.onComplete(ar -> {
                RedisConnection s = subscriber;
                writer = null;
                subscriber = null;
                if (w != null) {
                    w.close();
                }
                if (s != null) {
                    s.close();
                }
                client.close();
                done.complete(null);
            });
        });
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("cluster views: leaving Redis: {}", LogSafe.value(String.valueOf(e)));
        }
    }
}
