package dev.herald.server.pusher;

import java.time.Duration;

/**
 * Where the Pusher endpoint shares its channels with the other nodes: the cluster's Redis, under its channel prefix,
 * beside the heartbeat keys of the cluster views ({@code <prefix>:node:<instance>}), whose liveness it reuses.
 *
 * @param redisUrl  {@code cluster.broker}
 * @param prefix    {@code cluster.channel-prefix}
 * @param instance  this process's name in Redis (the cluster views' instance: node id and a per-process suffix)
 * @param heartbeat {@code cluster.heartbeat}: how often the nodes' liveness is checked
 * @param nodeTtl   {@code cluster.node-ttl}: the life of a heartbeat key, and the longest wait for a Redis answer
 */
public record PusherCluster(String redisUrl, String prefix, String instance, Duration heartbeat, Duration nodeTtl) { }
