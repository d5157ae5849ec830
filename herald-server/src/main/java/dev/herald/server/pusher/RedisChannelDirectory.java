package dev.herald.server.pusher;

import dev.herald.core.LogSafe;
import dev.herald.core.PushCenter;
import dev.herald.server.cluster.RedisReplies;
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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The Pusher channels of every node that shares this Redis, as one push center.
 *
 * <p><b>Keys</b>, under {@code <cluster.channel-prefix>:pusher}: {@code :instances} (the node processes that hold
 * Pusher state), {@code :chans:<instance>} (the channels one holds), {@code :subs:<channel>} (a hash, instance →
 * its subscription count), {@code :members:<channel>} (a hash, {@code instance\nuser} → the user's info: a user is a
 * member while some live instance holds a field of it), {@code :cache:<channel>} (the last event, 30 minutes) and
 * {@code :hook:<latch>} (webhooks sent, see {@link #set}). Each node writes only its own fields, over one connection
 * in call order, and only on its own transitions (a user's first / last connection to a channel on it, its count
 * of a channel), so Redis traffic grows with channel changes, not with events.
 *
 * <p><b>Cluster-wide first and last:</b> a node adds (or removes) its field of a member and reads the channel's
 * fields in one Lua script, so of two nodes racing for the same user exactly one sees no other live field and
 * announces {@code member_added} (or {@code member_removed}); that answer is also the snapshot of
 * {@code subscription_succeeded}. Announcements travel as events of the Herald topic of the channel, so they reach
 * the subscribers on every node through the broker.
 *
 * <p><b>Liveness:</b> a node is alive while its heartbeat key ({@code <prefix>:node:<instance>}, written by the
 * cluster views every {@code cluster.heartbeat}, living {@code cluster.node-ttl}) exists. Every node checks the
 * instances every heartbeat; fields of an instance without a key count for nothing, and the one node whose
 * {@code SREM} removes it from {@code :instances} reaps it: deletes its fields and tells the {@link Listener} which
 * members and channels it took with it. A dead node's members are thus removed within node-ttl plus one heartbeat.
 * A node that connects again, or finds itself missing from {@code :instances} (Redis restarted empty, or it was
 * cut off long enough to be reaped), writes its whole state again. A reaper that dies in the middle of reaping leaves
 * the rest of the dead node's fields in Redis (the instance is out of {@code :instances}, so no one reaps it again);
 * the nodes that saw it dead keep ignoring them, a node started later counts them: two failures at once, not handled.
 *
 * <p><b>Redis away:</b> reads answer this node's part, writes are dropped and rewritten on return (as above);
 * webhook latches answer true (a webhook may then be sent twice rather than never). Thread-safe.
 */
final class RedisChannelDirectory implements ChannelDirectory {
    private static final Logger log = LoggerFactory.getLogger(RedisChannelDirectory.class);
    /** Sets the caller's field, then answers whether it is new and all fields: one atomic step. */
    private static final String JOIN = "local created = redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) "
            + "local all = redis.call('HGETALL', KEYS[1]) table.insert(all, 1, created) return all";
    private static final String LEAVE = "redis.call('HDEL', KEYS[1], ARGV[1]) return redis.call('HGETALL', KEYS[1])";

    /** What the reaper found gone with a dead node: the endpoint tells the subscribers and sends the webhooks. */
    interface Listener {
        /** The user's last field in the channel belonged to a node that died. */
        void memberGone(String channel, String userId);

        /** A node that held the channel died: it may be vacated now. */
        void channelLost(String channel);

        /** This node wrote its state again and the user became a member cluster-wide by it. */
        void memberBack(String channel, String userId, JsonObject info);
    }

    private final Vertx vertx;
    private final Context context;
    private final Redis client;
    private final PusherCluster cluster;
    private final String keys;
    private final PusherChannels channels;
    private final PushCenter center;
    private volatile Listener listener;
    private volatile RedisConnection connection;
    /** Instances seen in {@code :instances} without a heartbeat key, and not seen alive since. */
    private volatile Set<String> dead = Set.of();
    private boolean connecting;
    private volatile boolean closed;
    private long timer = -1;

    RedisChannelDirectory(Vertx vertx, PusherCluster cluster, PusherChannels channels, PushCenter center) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(cluster.redisUrl()).setMaxWaitingHandlers(4096));
        this.cluster = cluster;
        this.keys = cluster.prefix() + ":pusher";
        this.channels = channels;
        this.center = center;
    }

    void listener(Listener listener) {
        this.listener = listener;
    }

    private String me() {
        return cluster.instance();
    }

    // ---- the connection, the heartbeat check and the reaper (on the context) ----

    @Override
    public void start() {
        context.runOnContext(v -> {
            tick();
            timer = vertx.setPeriodic(cluster.heartbeat().toMillis(), id -> tick());
        });
    }

    private void tick() {
        if (closed) {
            return;
        }
        RedisConnection c = connection;
        if (c == null) {
            connect();
            return;
        }
        String instances = keys + ":instances";
        c.send(Request.cmd(Command.EXISTS).arg(cluster.prefix() + ":node:" + me())).compose(exists ->
                c.send(Request.cmd(Command.SISMEMBER).arg(instances).arg(me())).map(member -> {
                    // registered only once the heartbeat key exists, or another node would reap a node just born
                    if (exists.toInteger() == 1 && member.toInteger() == 0) {
                        c.send(Request.cmd(Command.SADD).arg(instances).arg(me()));
                        resync(c);
                    }
                    return null;
                })).compose(v -> c.send(Request.cmd(Command.SMEMBERS).arg(instances)))
                .compose(members -> {
                    List<String> others = new ArrayList<>();
                    for (Response m : members) {
                        if (!me().equals(m.toString())) {
                            others.add(m.toString());
                        }
                    }
                    if (others.isEmpty()) {
                        return Future.succeededFuture();
                    }
                    Request mget = Request.cmd(Command.MGET);
                    others.forEach(i -> mget.arg(cluster.prefix() + ":node:" + i));
                    return c.send(mget).map(values -> {
                        Set<String> gone = new LinkedHashSet<>();
                        for (int i = 0; i < others.size(); i++) {
                            if (values.get(i) == null) {
                                gone.add(others.get(i));
                            }
                        }
                        // once dead, an instance stays dead (its fields may outlive its removal from :instances for
                        // a moment, while the reaper works) until it registers again with a live heartbeat
                        Set<String> stillDead = new LinkedHashSet<>(dead);
                        others.stream().filter(i -> !gone.contains(i)).forEach(stillDead::remove);
                        stillDead.addAll(gone);
                        dead = Set.copyOf(stillDead);
                        gone.forEach(instance -> c.send(Request.cmd(Command.SREM).arg(keys + ":instances").arg(instance))
                                .onSuccess(removed -> {
                                    if (removed.toInteger() == 1) {
                                        reap(c, instance); // this node won the removal: it alone reaps
                                    }
                                }));
                        return null;
                    });
                })
                .onFailure(e -> log.debug("pusher directory: check skipped ({})", LogSafe.value(String.valueOf(e.getMessage()))));
    }

    private void connect() {
        if (connecting || closed) {
            return;
        }
        connecting = true;
        client.connect().onComplete(ar -> {
            connecting = false;
            if (ar.failed() || closed) {
                return; // the cluster views log the outage; retried at the next heartbeat
            }
            RedisConnection c = ar.result();
            c.exceptionHandler(e -> lost(c));
            c.endHandler(v -> lost(c));
            connection = c;
            resync(c); // whatever was written while Redis was away is lost
            tick();
        });
    }

    private void lost(RedisConnection c) {
        context.runOnContext(v -> {
            if (connection == c) {
                connection = null;
            }
            c.close();
        });
    }

    /**
     * Writes this node's whole state again, announcing the members that are new to the cluster by it, and takes back
     * what Redis still holds of it that is no longer true (the writes of a Redis outage were dropped): a member that
     * left meanwhile is removed (and announced if it was the cluster's last), a channel left meanwhile released.
     */
    private void resync(RedisConnection c) {
        for (String channel : channels.occupied(name -> true)) {
            subscriptionsChanged(channel);
            channels.members(channel).forEach((user, info) -> memberJoined(channel, user, info, null, true).thenAccept(join -> {
                if (join.first() && join.presence() != null && listener != null) {
                    listener.memberBack(channel, user, info);
                }
            }));
        }
        c.send(Request.cmd(Command.SMEMBERS).arg(keys + ":chans:" + me())).onSuccess(held -> {
            for (Response r : held) {
                String channel = r.toString();
                if (channels.subscriptionCount(channel) == 0) {
                    subscriptionsChanged(channel);
                }
                c.send(Request.cmd(Command.HGETALL).arg(keys + ":members:" + channel)).onSuccess(all -> {
                    Map<String, JsonObject> here = channels.members(channel);
                    for (String f : RedisReplies.asMap(all).keySet()) {
                        if (instanceOf(f).equals(me()) && !here.containsKey(userOf(f))) {
                            memberLeft(channel, userOf(f)).thenAccept(last -> {
                                if (last && listener != null) {
                                    listener.memberGone(channel, userOf(f));
                                }
                            });
                        }
                    }
                    if (channels.subscriptionCount(channel) == 0 && listener != null) {
                        listener.channelLost(channel);
                    }
                });
            }
        });
    }

    /** Deletes a dead instance's fields; its members that no live node holds are gone, its channels maybe vacant. */
    private void reap(RedisConnection c, String instance) {
        log.info("pusher directory: node {} is gone; removing its members and subscriptions", LogSafe.value(instance));
        c.send(Request.cmd(Command.SMEMBERS).arg(keys + ":chans:" + instance)).onSuccess(held -> {
            for (Response r : held) {
                String channel = r.toString();
                c.send(Request.cmd(Command.HDEL).arg(keys + ":subs:" + channel).arg(instance));
                c.send(Request.cmd(Command.HGETALL).arg(keys + ":members:" + channel)).onSuccess(all -> {
                    Map<String, String> fields = RedisReplies.asMap(all);
                    Request delete = Request.cmd(Command.HDEL).arg(keys + ":members:" + channel);
                    List<String> users = new ArrayList<>();
                    fields.keySet().stream().filter(f -> f.startsWith(instance + "\n")).forEach(f -> {
                        delete.arg(f);
                        users.add(f.substring(instance.length() + 1));
                    });
                    if (!users.isEmpty()) {
                        c.send(delete);
                    }
                    for (String user : users) {
                        boolean elsewhere = fields.keySet().stream().anyMatch(f -> !f.startsWith(instance + "\n")
                                && live(f) && user.equals(userOf(f)));
                        if (!elsewhere && listener != null) {
                            listener.memberGone(channel, user);
                        }
                    }
                    if (listener != null) {
                        listener.channelLost(channel);
                    }
                });
            }
            c.send(Request.cmd(Command.DEL).arg(keys + ":chans:" + instance));
        });
    }

    // ---- requests ----

    /** One request over the ordered connection; {@code null} when Redis is away or silent for node-ttl. */
    private CompletableFuture<Response> call(Request request) {
        CompletableFuture<Response> out = new CompletableFuture<>();
        context.runOnContext(v -> {
            RedisConnection c = connection;
            if (c == null || closed) {
                out.complete(null);
                return;
            }
            long deadline = vertx.setTimer(cluster.nodeTtl().toMillis(), id -> out.complete(null));
            c.send(request).onComplete(ar -> {
                vertx.cancelTimer(deadline);
                out.complete(ar.succeeded() ? ar.result() : null);
            });
        });
        return out;
    }

    private <T> CompletableFuture<T> read(Request request, Function<Response, T> answer, java.util.function.Supplier<T> local) {
        return call(request).thenApply(r -> r == null ? local.get() : answer.apply(r));
    }

    private boolean alive() {
        return connection != null && !closed;
    }

    private boolean live(String field) {
        int cut = field.indexOf('\n');
        return cut < 0 || !dead.contains(field.substring(0, cut));
    }

    private static String userOf(String field) {
        return field.substring(field.indexOf('\n') + 1);
    }

    private static String instanceOf(String field) {
        int cut = field.indexOf('\n');
        return cut < 0 ? "" : field.substring(0, cut);
    }

    private String field(String userId) {
        return me() + "\n" + userId;
    }

    // ---- the directory ----

    @Override
    public CompletableFuture<MemberJoin> memberJoined(String channel, String userId, JsonObject userInfo, JsonObject local,
                                                      boolean newHere) {
        Request join = Request.cmd(Command.EVAL).arg(JOIN).arg(1).arg(keys + ":members:" + channel).arg(field(userId))
                .arg(userInfo == null ? "null" : userInfo.encode());
        return call(join).thenApply(all -> {
            if (all == null) {
                return new MemberJoin(local, newHere);
            }
            if (!channels.members(channel).containsKey(userId)) {
                // the user's last connection here left while this ran, and its HDEL may have gone first
                call(Request.cmd(Command.HDEL).arg(keys + ":members:" + channel).arg(field(userId)));
            }
            Map<String, String> fields = RedisReplies.pairs(all, 1);
            // a field that existed already (this node writing its state again) announces nothing a second time
            boolean first = newHere && all.get(0).toInteger() == 1 && fields.keySet().stream().noneMatch(f -> live(f) && !instanceOf(f).equals(me()) && userOf(f).equals(userId));
            Map<String, Object> hash = new LinkedHashMap<>();
            fields.forEach((f, info) -> {
                if (live(f)) {
                    hash.putIfAbsent(userOf(f), "null".equals(info) ? null : new JsonObject(info));
                }
            });
            JsonArray ids = new JsonArray();
            JsonObject members = new JsonObject();
            hash.forEach((id, info) -> {
                ids.add(id);
                members.put(id, info);
            });
            return new MemberJoin(new JsonObject().put("presence",
                    new JsonObject().put("ids", ids).put("hash", members).put("count", ids.size())), first);
        });
    }

    @Override
    public CompletableFuture<Boolean> memberLeft(String channel, String userId) {
        Request leave = Request.cmd(Command.EVAL).arg(LEAVE).arg(1).arg(keys + ":members:" + channel).arg(field(userId));
        return call(leave).thenApply(all -> {
            Map<String, JsonObject> here = channels.members(channel);
            if (here.containsKey(userId)) {
                // a connection of the user subscribed again here while this ran, and its HSET may have gone first
                JsonObject info = here.get(userId);
                call(Request.cmd(Command.HSET).arg(keys + ":members:" + channel).arg(field(userId))
                        .arg(info == null ? "null" : info.encode()));
                return false;
            }
            return all == null || RedisReplies.pairs(all, 0).keySet().stream().noneMatch(f -> live(f) && userOf(f).equals(userId));
        });
    }

    /** Writes the count read on the context, so of changes racing on several threads the last write is the truth. */
    @Override
    public void subscriptionsChanged(String channel) {
        context.runOnContext(v -> {
            RedisConnection c = connection;
            if (c == null || closed) {
                return;
            }
            int count = channels.subscriptionCount(channel);
            if (count > 0) {
                c.send(Request.cmd(Command.HSET).arg(keys + ":subs:" + channel).arg(me()).arg(count));
                c.send(Request.cmd(Command.SADD).arg(keys + ":chans:" + me()).arg(channel));
            } else {
                c.send(Request.cmd(Command.HDEL).arg(keys + ":subs:" + channel).arg(me()));
                c.send(Request.cmd(Command.SREM).arg(keys + ":chans:" + me()).arg(channel));
            }
        });
    }

    @Override
    public CompletableFuture<Integer> subscriptionCount(String channel) {
        return read(Request.cmd(Command.HGETALL).arg(keys + ":subs:" + channel), all -> {
            int total = 0;
            for (Map.Entry<String, String> e : RedisReplies.asMap(all).entrySet()) {
                if (!dead.contains(e.getKey())) {
                    total += Integer.parseInt(e.getValue());
                }
            }
            return total;
        }, () -> channels.subscriptionCount(channel));
    }

    @Override
    public CompletableFuture<List<String>> userIds(String channel) {
        return read(Request.cmd(Command.HGETALL).arg(keys + ":members:" + channel), all -> {
            Set<String> ids = new LinkedHashSet<>();
            RedisReplies.asMap(all).keySet().stream().filter(this::live).forEach(f -> ids.add(userOf(f)));
            return List.copyOf(ids);
        }, () -> channels.userIds(channel));
    }

    @Override
    public CompletableFuture<List<String>> occupied(Predicate<String> filter) {
        return read(Request.cmd(Command.SMEMBERS).arg(keys + ":instances"), members -> {
            Set<String> instances = new LinkedHashSet<>();
            instances.add(me());
            for (Response m : members) {
                if (!dead.contains(m.toString())) {
                    instances.add(m.toString());
                }
            }
            return instances;
        }, () -> null).thenCompose(instances -> {
            if (instances == null) {
                return CompletableFuture.completedFuture(channels.occupied(filter));
            }
            Request union = Request.cmd(Command.SUNION);
            instances.forEach(i -> union.arg(keys + ":chans:" + i));
            return read(union, all -> {
                Set<String> names = new TreeSet<>();
                for (Response r : all) {
                    if (filter.test(r.toString())) {
                        names.add(r.toString());
                    }
                }
                return List.copyOf(names);
            }, () -> channels.occupied(filter));
        });
    }

    @Override
    public void remember(String channel, PusherEvent event) {
        if (ChannelNames.isCache(channel) && !PusherChannels.internal(event)) {
            call(Request.cmd(Command.SET).arg(keys + ":cache:" + channel).arg(event.toHeraldData())
                    .arg("PX").arg(PusherChannels.CACHE_TTL_MILLIS));
        }
    }

    @Override
    public CompletableFuture<PusherEvent> cachedEvent(String channel) {
        // a missing key is a null answer too: told apart from an outage by the connection
        return call(Request.cmd(Command.GET).arg(keys + ":cache:" + channel)).thenApply(r -> r != null
                ? PusherEvent.fromHeraldData(new JsonObject(r.toString())) : alive() ? null : channels.cachedEvent(channel));
    }

    /** Published to the channel's Herald topic: the broker takes it to every node's subscribers. */
    @Override
    public void announce(String channel, PusherEvent event) {
        if (closed) {
            return; // halted: a crashed node tells no one; the reaper does
        }
        try {
            center.publish(PusherPublisher.request(List.of(channel), event)).whenComplete((p, e) -> {
                if (e != null) {
                    log.warn("pusher {} on {} not announced: {}", event.name(), LogSafe.value(channel), LogSafe.value(String.valueOf(e.getMessage())));
                }
            });
        } catch (RuntimeException e) {
            log.warn("pusher {} on {} not announced: {}", event.name(), LogSafe.value(channel), LogSafe.value(String.valueOf(e.getMessage())));
        }
    }

    @Override
    public CompletableFuture<Boolean> set(String latch) {
        return call(Request.cmd(Command.SET).arg(keys + ":hook:" + latch).arg(me()).arg("NX"))
                .thenApply(r -> !alive() || (r != null && "OK".equals(r.toString())));
    }

    @Override
    public CompletableFuture<Boolean> clear(String latch) {
        return call(Request.cmd(Command.DEL).arg(keys + ":hook:" + latch)).thenApply(r -> r == null ? !alive() : r.toInteger() == 1);
    }

    /** Stops at once: nothing more is written, this node's fields stay for the others to reap. */
    @Override
    public void halt() {
        closed = true;
        context.runOnContext(v -> {
            vertx.cancelTimer(timer);
            RedisConnection c = connection;
            connection = null;
            if (c != null) {
                c.close();
            }
        });
    }

    /** Leaves: this node's connections left already (their fields went with them); its registration goes now. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            closed = true;
            vertx.cancelTimer(timer);
            RedisConnection c = connection;
            connection = null;
            if (c == null) {
                done.complete(null);
                return;
            }
            c.send(Request.cmd(Command.SREM).arg(keys + ":instances").arg(me()));
            c.send(Request.cmd(Command.DEL).arg(keys + ":chans:" + me())).onComplete(ar -> {
                c.close();
                done.complete(null);
            });
        });
        try {
            done.get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("pusher directory: leaving Redis: {}", LogSafe.value(String.valueOf(e)));
        }
        client.close();
    }
}
