package dev.herald.server.cluster;

import dev.herald.core.broker.Broker;
import dev.herald.core.broker.MemoryBroker;

/**
 * Opens the broker {@code broker} names: the in-process one for a single node, Redis for a cluster, or PostgreSQL's
 * LISTEN/NOTIFY for a small cluster without Redis ({@code postgres}: on the store's database).
 */
public final class Brokers {
    /** The {@code broker} of a single node. */
    public static final String MEMORY = "memory";
    /** LISTEN/NOTIFY on the store's own database (a small install without Redis). */
    public static final String POSTGRES = "postgres";

    private Brokers() { }

    /**
     * {@code url}: {@link #MEMORY} or {@code redis://…}; the rest configures the Redis broker (see
     * {@code ClusterConfig}): the channels' prefix and shard count, the publishes allowed in flight, and how long
     * Redis may leave a connection unanswered.
     */
    public static Broker open(String url, String store, String nodeId, String channelPrefix, int shards, int maxInFlight,
                              java.time.Duration redisTimeout) {
        if (MEMORY.equals(url)) {
            return new MemoryBroker();
        }
        if (POSTGRES.equals(url)) {
            return new PostgresBroker(store, nodeId, channelPrefix, maxInFlight, redisTimeout);
        }
        if (dev.herald.server.store.PostgresUrl.matches(url)) {
            return new PostgresBroker(url, nodeId, channelPrefix, maxInFlight, redisTimeout);
        }
        return new RedisBroker(url, nodeId, new RedisChannels(channelPrefix, shards), maxInFlight, redisTimeout);
    }
}
