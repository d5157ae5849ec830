package dev.herald.core.notify;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryPolicyTest {
    private static final long NOW = 1_800_000_000_000L;
    private static final RetryPolicy POLICY = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), 2.0, 10,
            Duration.ofHours(1));

    @Test
    void backoff_doubles_from_the_first_delay_and_stops_at_the_max() {
        assertThat(POLICY.backoffMillis(1)).isEqualTo(1_000);
        assertThat(POLICY.backoffMillis(2)).isEqualTo(2_000);
        assertThat(POLICY.backoffMillis(3)).isEqualTo(4_000);
        assertThat(POLICY.backoffMillis(6)).isEqualTo(32_000);
        assertThat(POLICY.backoffMillis(7)).isEqualTo(60_000);
        assertThat(POLICY.backoffMillis(500)).isEqualTo(60_000);
    }

    @Test
    void equal_jitter_keeps_every_delay_between_half_the_backoff_and_the_backoff() {
        SplittableRandom random = new SplittableRandom(42);
        for (int attempts = 1; attempts <= 9; attempts++) {
            long backoff = POLICY.backoffMillis(attempts);
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                long delay = POLICY.delayMillis(attempts, null, random);
                assertThat(delay).isBetween(backoff / 2, backoff);
                seen.add(delay);
            }
            // jittered: many different delays, so deliveries that failed together do not retry together
            assertThat(seen).as("distinct delays after %d attempts", attempts).hasSizeGreaterThan(50);
        }
    }

    @Test
    void jitter_comes_from_the_random_source_given() {
        long a = POLICY.delayMillis(5, null, new Random(7));
        long b = POLICY.delayMillis(5, null, new Random(7));
        assertThat(a).isEqualTo(b);
    }

    @Test
    void jittered_delays_still_grow_with_the_attempts() {
        SplittableRandom random = new SplittableRandom(1);
        long previousMax = 0;
        for (int attempts = 1; attempts <= 6; attempts++) {
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < 100; i++) {
                long d = POLICY.delayMillis(attempts, null, random);
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
            assertThat(min).isGreaterThanOrEqualTo(previousMax / 2);
            assertThat(max).isGreaterThan(previousMax);
            previousMax = max;
        }
    }

    @Test
    void retry_after_raises_the_delay_even_past_the_max_delay() {
        Random random = new Random(3);
        assertThat(POLICY.delayMillis(1, Duration.ofSeconds(30), random)).isEqualTo(30_000);
        assertThat(POLICY.delayMillis(1, Duration.ofMinutes(5), random)).isEqualTo(300_000);
        assertThat(POLICY.delayMillis(1, Duration.ofHours(100_000), random)).isEqualTo(Duration.ofDays(365).toMillis());
    }

    @Test
    void a_shorter_retry_after_does_not_shorten_the_backoff() {
        long delay = POLICY.delayMillis(7, Duration.ofSeconds(1), new Random(3));
        assertThat(delay).isBetween(30_000L, 60_000L);
    }

    @Test
    void next_attempt_is_now_plus_the_delay() {
        long next = POLICY.nextAttemptAt(2, NOW, NOW + 3_600_000, null, new Random(5));
        assertThat(next - NOW).isBetween(1_000L, 2_000L);
    }

    @Test
    void no_attempt_after_the_max_attempts() {
        assertThat(POLICY.nextAttemptAt(9, NOW, NOW + 3_600_000, null, new Random(5))).isPositive();
        assertThat(POLICY.nextAttemptAt(10, NOW, NOW + 3_600_000, null, new Random(5))).isEqualTo(RetryPolicy.NO_MORE_ATTEMPTS);
    }

    @Test
    void no_attempt_at_or_after_the_deadline() {
        assertThat(POLICY.nextAttemptAt(1, NOW, NOW + 400, null, new Random(5))).isEqualTo(RetryPolicy.NO_MORE_ATTEMPTS);
        assertThat(POLICY.nextAttemptAt(1, NOW, NOW + 10_000, Duration.ofSeconds(10), new Random(5)))
                .isEqualTo(RetryPolicy.NO_MORE_ATTEMPTS);
        assertThat(POLICY.nextAttemptAt(1, NOW, NOW + 10_001, Duration.ofSeconds(10), new Random(5))).isEqualTo(NOW + 10_000);
    }

    @Test
    void deadline_counts_from_creation() {
        assertThat(POLICY.deadlineFrom(NOW)).isEqualTo(NOW + 3_600_000);
        assertThat(POLICY.deadlineFrom(Long.MAX_VALUE - 5)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void defaults_are_the_documented_ones() {
        assertThat(RetryPolicy.DEFAULT.firstDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(RetryPolicy.DEFAULT.maxDelay()).isEqualTo(Duration.ofMinutes(10));
        assertThat(RetryPolicy.DEFAULT.multiplier()).isEqualTo(2.0);
        assertThat(RetryPolicy.DEFAULT.maxAttempts()).isEqualTo(8);
        assertThat(RetryPolicy.DEFAULT.deadline()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void nonsense_is_refused() {
        Duration s = Duration.ofSeconds(1);
        assertThatThrownBy(() -> new RetryPolicy(Duration.ZERO, s, 2, 3, s)).hasMessageContaining("firstDelay");
        assertThatThrownBy(() -> new RetryPolicy(s.multipliedBy(2), s, 2, 3, s)).hasMessageContaining("maxDelay");
        assertThatThrownBy(() -> new RetryPolicy(s, s, 0.5, 3, s)).hasMessageContaining("multiplier");
        assertThatThrownBy(() -> new RetryPolicy(s, s, Double.NaN, 3, s)).hasMessageContaining("multiplier");
        assertThatThrownBy(() -> new RetryPolicy(s, s, 2, 0, s)).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> new RetryPolicy(s, s, 2, 3, Duration.ZERO)).hasMessageContaining("deadline");
    }
}
