package dev.herald.core.message;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class MessageIdsTest {
    private static final String CROCKFORD = "[0-9A-HJKMNP-TV-Z]{26}";

    private final MessageIds ids = new MessageIds();

    @Test
    void ids_are_26_crockford_base32_characters() {
        for (int i = 0; i < 1_000; i++) {
            assertThat(ids.next(1_700_000_000_000L + i)).matches(CROCKFORD);
        }
    }

    @Test
    void ids_made_in_the_same_millisecond_are_strictly_increasing_as_strings() {
        String previous = ids.next(1_700_000_000_000L);
        for (int i = 0; i < 100_000; i++) {
            String next = ids.next(1_700_000_000_000L);
            assertThat(next).matches(CROCKFORD);
            assertThat(next.compareTo(previous)).as("%s after %s", next, previous).isPositive();
            previous = next;
        }
    }

    @Test
    void ids_are_strictly_increasing_across_milliseconds_and_with_a_clock_that_steps_back() {
        long[] clock = {1_000L, 1_000L, 1_001L, 1_001L, 5_000L, 4_000L, 4_999L, 5_000L, 5_001L, 281_474_976_710_655L};
        String previous = "";
        for (long millis : clock) {
            String next = ids.next(millis);
            assertThat(next.compareTo(previous)).as("%s after %s at %d", next, previous, millis).isPositive();
            previous = next;
        }
    }

    /** What a store's purge relies on to bound its walk by time. */
    @Test
    void first_at_sorts_after_every_earlier_id_and_at_or_before_every_later_one() {
        long t = 1_700_000_000_000L;
        for (int i = 0; i < 1_000; i++) {
            assertThat(new MessageIds().next(t - 1)).isLessThan(MessageIds.firstAt(t));
            assertThat(new MessageIds().next(t)).isGreaterThanOrEqualTo(MessageIds.firstAt(t)).isLessThan(MessageIds.firstAt(t + 1));
        }
        assertThat(MessageIds.firstAt(t)).matches(CROCKFORD).endsWith("0".repeat(16));
    }

    @Test
    void the_time_prefix_encodes_the_milliseconds_and_sorts_by_them() {
        String early = ids.next(1L);
        String later = new MessageIds().next(2L);

        assertThat(early).startsWith("0000000001");
        assertThat(later).startsWith("0000000002");
        assertThat(later).isGreaterThan(early);
        assertThat(new MessageIds().next(32L)).startsWith("0000000010");
    }

    @Test
    void incrementing_the_random_part_carries_from_the_low_into_the_high_bits() {
        String beforeCarry = MessageIds.encode(7, 0, -1L); // low64 all ones
        String afterCarry = MessageIds.encode(7, 1, 0L);

        assertThat(afterCarry).isGreaterThan(beforeCarry);
        assertThat(MessageIds.encode(7, 0xFFFF, -1L)).endsWith("ZZZZZZZZZZZZZZZZ");
        assertThat(MessageIds.encode(7, 0, 0L)).endsWith("0000000000000000");
    }

    @Test
    void ids_are_unique_and_increasing_per_thread_under_concurrency() throws Exception {
        int threads = 8;
        int perThread = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            Set<String> all = ConcurrentHashMap.newKeySet();
            CountDownLatch gate = new CountDownLatch(1);
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    gate.await();
                    String previous = "";
                    boolean increasing = true;
                    for (int i = 0; i < perThread; i++) {
                        String id = ids.next(System.currentTimeMillis());
                        increasing &= id.compareTo(previous) > 0;
                        previous = id;
                        all.add(id);
                    }
                    return increasing;
                }));
            }
            gate.countDown();
            for (Future<Boolean> f : futures) {
                assertThat(f.get(60, TimeUnit.SECONDS)).as("ids seen by one thread are increasing").isTrue();
            }
            assertThat(all).hasSize(threads * perThread);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void each_millisecond_gets_fresh_random_bits_also_past_a_refill_of_the_pool() {
        MessageIds ids = new MessageIds();
        java.util.Set<String> randomParts = new java.util.HashSet<>();
        java.util.Set<Character> firstRandomChars = new java.util.HashSet<>();
        for (long ms = 1; ms <= 1_000; ms++) { // 1,000 draws: the 64-draw pool refilled 15 times
            String id = ids.next(1_700_000_000_000L + ms);
            randomParts.add(id.substring(10));
            firstRandomChars.add(id.charAt(10)); // the top bits of the 16-bit high part
        }
        assertThat(randomParts).hasSize(1_000);
        assertThat(firstRandomChars).hasSizeGreaterThan(16);
    }
}
