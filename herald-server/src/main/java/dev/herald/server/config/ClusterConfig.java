package dev.herald.server.config;

import dev.herald.server.cluster.Brokers;
import dev.herald.server.cluster.RedisUrl;

import java.util.Map;

/**
 * How this node reaches the other nodes of a cluster ({@code broker} and {@code cluster.*}), validated by {@link #from}.
 * {@code broker} is {@code memory} (one node: the default) or {@code redis://…}; a broker other than memory needs a
 * store the nodes share (PostgreSQL), or each node would hand out its own positions for the same stream.
 *
 * @param broker        {@link #MEMORY} or a {@code redis://[user[:password]@]host[:port][/db]} URL (secret: never logged whole)
 * @param channelPrefix the first part of every Redis channel name, so several clusters can share one Redis
 * @param shards        how many channels the user and topic streams are spread over (see {@code RedisChannels})
 * @param maxInFlight   publishes sent to Redis and not yet answered; beyond, further ones are not sent (the store
 *                      has them: clients get them on their next replay) rather than queueing without bound
 */
public record ClusterConfig(String broker, String channelPrefix, int shards, int maxInFlight) {
    public static final String MEMORY = Brokers.MEMORY;
    public static final String DEFAULT_CHANNEL_PREFIX = "herald";
    /** Enough to spread a Redis Cluster's channels over its nodes; few enough that every node subscribes to all at once. */
    public static final int DEFAULT_SHARDS = 16;
    /** About a second of a busy node's publishes: a Redis that stalls longer loses live fan-out, never memory. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 10_000;

    public static ClusterConfig defaults() {
        return new ClusterConfig(MEMORY, DEFAULT_CHANNEL_PREFIX, DEFAULT_SHARDS, DEFAULT_MAX_IN_FLIGHT);
    }

    /** Whether this node is one of several (its broker is not the in-process one). */
    public boolean clustered() {
        return !MEMORY.equals(broker);
    }

    static ClusterConfig from(Map<Setting, String> raw, String store) {
        java.util.function.Function<Setting, String> v = s -> raw.get(s).trim();
        String broker = v.apply(Setting.BROKER);
        if (!broker.equals(MEMORY)) {
            try {
                RedisUrl.parse(broker);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("broker: " + e.getMessage());
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
        return new ClusterConfig(broker, prefix,
                Units.integer(Setting.CLUSTER_SHARDS.key(), v.apply(Setting.CLUSTER_SHARDS), 1, 1024),
                Units.integer(Setting.CLUSTER_MAX_IN_FLIGHT.key(), v.apply(Setting.CLUSTER_MAX_IN_FLIGHT), 1, 1_000_000));
    }
}
