package dev.herald.bench.peers;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ScheduleTest {

    @Test
    void requests_are_due_at_the_millisecond_at_or_after_their_exact_time() {
        // 20,000/s: 20 requests per millisecond, all intended at its start
        assertThat(LoadGenerator.intendedOffset(0, 20_000)).isZero();
        assertThat(LoadGenerator.intendedOffset(1, 20_000)).isEqualTo(1_000_000);
        assertThat(LoadGenerator.intendedOffset(20, 20_000)).isEqualTo(1_000_000);
        assertThat(LoadGenerator.intendedOffset(21, 20_000)).isEqualTo(2_000_000);
        // 5 broadcasts/s: 200 ms apart, already on millisecond boundaries
        assertThat(LoadGenerator.intendedOffset(3, 5)).isEqualTo(600_000_000);
        // 3,000/s: 1/3 ms apart, rounded up, never early
        assertThat(LoadGenerator.intendedOffset(2, 3_000)).isEqualTo(1_000_000);
        assertThat(LoadGenerator.intendedOffset(4, 3_000)).isEqualTo(2_000_000);
    }
}
