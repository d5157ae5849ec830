package dev.herald.server.cluster;

import dev.herald.core.message.Target;

import java.util.ArrayList;
import java.util.List;

/**
 * The Redis channels of a cluster: {@code <prefix>:s<k>} for k in 0..shards-1, over which the user and topic streams
 * are spread by a hash of their name, and {@code <prefix>:all} for the broadcast log.
 *
 * <p>Why shards, not one channel per user (or per topic): a channel per user would make every connect and disconnect
 * a SUBSCRIBE or UNSUBSCRIBE round trip to Redis (a node restart becomes a storm of them as its clients log in
 * again elsewhere), and would keep a million channels in Redis for a million users. A fixed, small set of channels
 * costs nothing per user, and its names are stable, so they spread over a Redis Cluster's slots. Why not one channel
 * per node: a publisher would have to know which nodes hold the user (cluster presence, a later step). Today every
 * node subscribes to every shard, so it receives every envelope and its hub keeps those with local sessions; the
 * shards are the seam for a node to subscribe only to the shards of the users and topics it holds.
 *
 * <p>An envelope goes to one channel, its first target's, whole: its targets reach each session at most once (the
 * hub's rule), and per-stream order holds whatever the channel, because a node publishes over one connection and
 * receives over one, and Redis forwards one connection's publishes in order. Immutable, thread-safe.
 */
public final class RedisChannels {
    private final String prefix;
    private final int shards;

    public RedisChannels(String prefix, int shards) {
        this.prefix = prefix;
        this.shards = shards;
    }

    /** Every channel a node subscribes to. */
    public List<String> all() {
        List<String> names = new ArrayList<>(shards + 1);
        for (int k = 0; k < shards; k++) {
            names.add(shard(k));
        }
        names.add(prefix + ":all");
        return names;
    }

    /**
     * The channel a node publishes probes to and reads them back from, to know that its subscription still works: one
     * per broker instance, so no other node receives them.
     */
    public String probe(String instance) {
        return prefix + ":probe:" + instance;
    }

    /**
     * The channel over which a node that could not publish some envelopes (Redis was away, or too many in flight) asks
     * every other node to catch its sessions up from the store, once it can publish again.
     */
    public String catchUp() {
        return prefix + ":catch-up";
    }

    /** The channel an envelope with these targets goes to. */
    public String of(List<Target> targets) {
        if (targets.isEmpty()) {
            return shard(0);
        }
        return switch (targets.get(0)) {
            case Target.User u -> shard(Math.floorMod(("u:" + u.userId()).hashCode(), shards));
            case Target.Topic t -> shard(Math.floorMod(("t:" + t.name()).hashCode(), shards));
            case Target.Everyone e -> prefix + ":all";
        };
    }

    private String shard(int k) {
        return prefix + ":s" + k;
    }
}
