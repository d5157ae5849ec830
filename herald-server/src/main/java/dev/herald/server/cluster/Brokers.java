package dev.herald.server.cluster;

import dev.herald.core.broker.Broker;
import dev.herald.core.broker.MemoryBroker;

/** Opens the broker {@code broker} names: the in-process one for a single node, Redis for a cluster. */
public final class Brokers {
    /** The {@code broker} of a single node. */
    public static final String MEMORY = "memory";

    private Brokers() { }

    /**
     * {@code url}: {@link #MEMORY} or {@code redis://…}; the rest configures the Redis broker (see
     * {@code ClusterConfig}): the channels' prefix and shard count, the publishes allowed in flight, and how long
     * Redis may leave a connection unanswered.
     */
    public static Broker open(String url, String nodeId, String channelPrefix, int shards, int maxInFlight, java.time.Duration redisTimeout) {
        if (MEMORY.equals(url)) {
            return new MemoryBroker();
        }
        return new RedisBroker(url, nodeId, new RedisChannels(channelPrefix, shards), maxInFlight, redisTimeout);
    }
}
