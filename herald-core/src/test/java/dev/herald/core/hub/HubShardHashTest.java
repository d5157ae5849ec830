package dev.herald.core.hub;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shard a user lands in must not decide which bins of the shard's {@link java.util.concurrent.ConcurrentHashMap}
 * it can use: otherwise each shard's map fills a few bins, which become trees, and every lookup is a tree walk.
 */
class HubShardHashTest {
    private static final int SHARDS = Hub.DEFAULT_SHARDS;
    private static final int USERS = 10_000;
    /** The table size a ConcurrentHashMap grows to for ~156 keys (10,000 / 64): 256 bins. */
    private static final int BINS = 256;

    /** ConcurrentHashMap's bin for a key hash (its {@code spread}, then the table mask). */
    private static int chmBin(int hash) {
        return (hash ^ (hash >>> 16)) & (BINS - 1);
    }

    @Test
    void sequential_user_ids_use_most_bins_of_every_shard() {
        List<Set<Integer>> binsPerShard = new ArrayList<>();
        int[] usersPerShard = new int[SHARDS];
        for (int i = 0; i < SHARDS; i++) {
            binsPerShard.add(new HashSet<>());
        }
        for (int u = 0; u < USERS; u++) {
            int hash = ("u" + u).hashCode();
            int shard = Hub.shardIndex(hash, SHARDS);
            usersPerShard[shard]++;
            binsPerShard.get(shard).add(chmBin(hash));
        }
        for (int shard = 0; shard < SHARDS; shard++) {
            // ~156 keys thrown into 256 bins at random occupy ~117 distinct bins (0.75 per key); choosing the
            // shard from the same low bits as the map (the old hash) left 4 bins per shard (0.01 per key), and a
            // Fibonacci hash of these sequential ids 0.42 per key in its worst shard.
            assertThat(binsPerShard.get(shard)).as("bins used in shard %d", shard)
                    .hasSizeGreaterThanOrEqualTo(usersPerShard[shard] / 2);
            assertThat(usersPerShard[shard]).as("users in shard %d", shard).isBetween(USERS / SHARDS / 2, USERS / SHARDS * 2);
        }
    }

    @Test
    void a_single_shard_takes_every_user_and_every_index_is_in_range() {
        for (int hash : new int[] {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, "u42".hashCode()}) {
            assertThat(Hub.shardIndex(hash, 1)).isZero();
            assertThat(Hub.shardIndex(hash, 2)).isBetween(0, 1);
            assertThat(Hub.shardIndex(hash, 64)).isBetween(0, 63);
        }
    }
}
