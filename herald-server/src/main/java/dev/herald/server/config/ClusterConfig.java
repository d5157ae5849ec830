package dev.herald.server.config;

import dev.herald.server.cluster.Brokers;
import dev.herald.server.cluster.RedisUrl;

import java.time.Duration;
import java.util.Map;

/**
 * How this node reaches the other nodes of a cluster ({@code broker} and {@code cluster.*}), validated by {@link #from}.
 * {@code broker} is {@code memory} (one node: the default), {@code redis://…}, or {@code postgres} /
 * {@code postgresql://…} (LISTEN/NOTIFY, for small installs without Redis); a broker other than memory needs a
 * store the nodes share (PostgreSQL), or each node would hand out its own positions for the same stream.
 *
 * @param broker        {@link #MEMORY} or a {@code redis://[user[:password]@]host[:port][/db]} URL (secret: never logged whole)
 * @param channelPrefix the first part of every Redis channel name, so several clusters can share one Redis
 * @param shards        how many channels the user and topic streams are spread over (see {@code RedisChannels})
 * @param maxInFlight   envelopes the broker has not yet passed on (Redis: publishes not yet answered; PostgreSQL:
 *                      NOTIFYs waiting for the publishing connection); beyond, further ones are not sent (the store
 *                      has them: clients get them on their next replay) rather than queueing without bound
 * @param heartbeat     how often a node renews its heartbeat key in Redis (and with it its stats)
 * @param nodeTtl       how long a heartbeat key lives: a node that stops renewing it (killed, cut off from Redis)
 *                      drops out of presence, stats, kicks and the per-user cap at most this long after its last beat
 * @param redisTimeout  how long a broker connection's PING or opening may go unanswered before it is taken as broken
 */
public record ClusterConfig(String broker, String channelPrefix, int shards, int maxInFlight, Duration heartbeat, Duration nodeTtl,
                            Duration redisTimeout) {
    public static final String MEMORY = Brokers.MEMORY;
    public static final String DEFAULT_CHANNEL_PREFIX = "herald";
    /** Enough to spread a Redis Cluster's channels over its nodes; few enough that every node subscribes to all at once. */
    public static final int DEFAULT_SHARDS = 16;
    /** About a second of a busy node's publishes: a Redis that stalls longer loses live fan-out, never memory. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 10_000;

    /** Often enough that stats from other nodes are at most 2 s old; rare enough to cost Redis nothing (two commands). */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(2);
    /** Three heartbeats: one late or lost beat (a GC pause, a Redis reconnect) does not drop a live node. */
    public static final Duration DEFAULT_NODE_TTL = Duration.ofSeconds(6);

    /**
     * Long enough for a Redis busy with a slow command or a short GC-like stall not to count as gone; short enough that a
     * silent split stops cross-node delivery for seconds, not for the minutes the operating system takes to drop the socket.
     */
    public static final Duration DEFAULT_REDIS_TIMEOUT = Duration.ofSeconds(3);

    public static ClusterConfig defaults() {
        return new ClusterConfig(MEMORY, DEFAULT_CHANNEL_PREFIX, DEFAULT_SHARDS, DEFAULT_MAX_IN_FLIGHT, DEFAULT_HEARTBEAT, DEFAULT_NODE_TTL,
                DEFAULT_REDIS_TIMEOUT);
    }

    /** Whether this node is one of several (its broker is not the in-process one). */
    public boolean clustered() {
        return !MEMORY.equals(broker);
    }

    static ClusterConfig from(Map<Setting, String> raw, String store) {
        java.util.function.Function<Setting, String> v = s -> raw.get(s).trim();
        String broker = v.apply(Setting.BROKER);
        if (!broker.equals(MEMORY)) {
            if (!broker.equals(Brokers.POSTGRES) && !dev.herald.server.store.PostgresUrl.matches(broker)) {
                try {
                    RedisUrl.parse(broker);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("broker: " + e.getMessage() + " (or postgres: LISTEN/NOTIFY on the store's database)");
                }
            }
            if (!store.startsWith("postgresql://") && !store.startsWith("postgres://") && !store.startsWith("jdbc:postgresql://")) {
                throw new ConfigException("broker: a cluster needs a store its nodes share: set store to postgresql://… ("
                        + (store.startsWith("sqlite") ? "sqlite" : store) + " is this node's alone)");
            }
        }
        String prefix = v.apply(Setting.CLUSTER_CHANNEL_PREFIX);
        if (!prefix.matches("[A-Za-z0-9_.:-]{1,64}")) {
            throw new ConfigException("cluster.channel-prefix: 1-64 characters of A-Z a-z 0-9 _ . : -");
        }
        Duration heartbeat = Units.duration(Setting.CLUSTER_HEARTBEAT.key(), v.apply(Setting.CLUSTER_HEARTBEAT));
        Duration ttl = Units.duration(Setting.CLUSTER_NODE_TTL.key(), v.apply(Setting.CLUSTER_NODE_TTL));
        if (heartbeat.toMillis() < 10) {
            throw new ConfigException("cluster.heartbeat: at least 10ms");
        }
        if (ttl.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new ConfigException("cluster.node-ttl: at least twice cluster.heartbeat (" + v.apply(Setting.CLUSTER_HEARTBEAT)
                    + "), or one late heartbeat drops a live node");
        }
        Duration redisTimeout = Units.duration(Setting.CLUSTER_REDIS_TIMEOUT.key(), v.apply(Setting.CLUSTER_REDIS_TIMEOUT));
        if (redisTimeout.toMillis() < 30) {
            throw new ConfigException("cluster.redis-timeout: at least 30ms");
        }
        return new ClusterConfig(broker, prefix,
                Units.integer(Setting.CLUSTER_SHARDS.key(), v.apply(Setting.CLUSTER_SHARDS), 1, 1024),
                Units.integer(Setting.CLUSTER_MAX_IN_FLIGHT.key(), v.apply(Setting.CLUSTER_MAX_IN_FLIGHT), 1, 1_000_000),
                heartbeat, ttl, redisTimeout);
    }
}
