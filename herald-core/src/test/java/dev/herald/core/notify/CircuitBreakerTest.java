package dev.herald.core.notify;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class CircuitBreakerTest {
    private static final long T = 1_000_000L;
    private final CircuitPolicy policy = new CircuitPolicy(3, Duration.ofSeconds(10), Duration.ofSeconds(35));
    private final CircuitBreaker breaker = new CircuitBreaker(policy);

    private void fail(long now) {
        CircuitBreaker.Permit p = breaker.tryAcquire(now);
        assertThat(p.allowed()).isTrue();
        breaker.record(p, true, now);
    }

    private void openIt() {
        fail(T);
        fail(T);
        fail(T);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void opens_after_the_threshold_of_consecutive_failures() {
        fail(T);
        fail(T);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        CircuitBreaker.Permit p = breaker.tryAcquire(T);
        assertThat(breaker.record(p, true, T)).as("this report opened it").isTrue();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.tryAcquire(T + 1)).isEqualTo(CircuitBreaker.DENIED);
        assertThat(breaker.reopensAt()).isEqualTo(T + 10_000);
    }

    @Test
    void a_success_or_a_permanent_answer_resets_the_count() {
        fail(T);
        fail(T);
        CircuitBreaker.Permit p = breaker.tryAcquire(T);
        breaker.record(p, false, T); // OK, PERMANENT or GONE: the endpoint answered
        fail(T);
        fail(T);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.consecutiveFailures()).isEqualTo(2);
    }

    @Test
    void after_the_cooldown_exactly_one_trial_goes_through() {
        openIt();
        assertThat(breaker.tryAcquire(T + 9_999).allowed()).isFalse();
        CircuitBreaker.Permit trial = breaker.tryAcquire(T + 10_000);
        assertThat(trial.allowed()).isTrue();
        assertThat(trial.trial()).isTrue();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(breaker.tryAcquire(T + 10_001)).isEqualTo(CircuitBreaker.DENIED);
        assertThat(breaker.reopensAt()).as("others wait one first cooldown").isEqualTo(T + 20_001);
    }

    @Test
    void a_successful_trial_closes_it() {
        openIt();
        CircuitBreaker.Permit trial = breaker.tryAcquire(T + 10_000);
        breaker.record(trial, false, T + 10_050);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.tryAcquire(T + 10_060).allowed()).isTrue();
        assertThat(breaker.consecutiveFailures()).isZero();
    }

    @Test
    void a_failed_trial_reopens_it_for_a_growing_capped_cooldown() {
        openIt();
        long now = T + 10_000;
        long[] expected = {20_000, 35_000, 35_000};
        for (long cooldown : expected) {
            CircuitBreaker.Permit trial = breaker.tryAcquire(now);
            assertThat(trial.trial()).isTrue();
            assertThat(breaker.record(trial, true, now)).isTrue();
            assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
            assertThat(breaker.reopensAt()).isEqualTo(now + cooldown);
            now += cooldown;
        }
        CircuitBreaker.Permit trial = breaker.tryAcquire(now);
        breaker.record(trial, false, now);
        openIt();
        assertThat(breaker.reopensAt()).as("success reset the cooldown").isEqualTo(T + 10_000);
    }

    @Test
    void results_of_sends_started_before_it_opened_are_ignored() {
        CircuitBreaker.Permit early = breaker.tryAcquire(T);
        openIt();
        breaker.record(early, false, T + 1);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        CircuitBreaker.Permit trial = breaker.tryAcquire(T + 10_000);
        breaker.record(early, true, T + 10_001);
        assertThat(breaker.state()).as("a non-trial failure does not decide the trial").isEqualTo(CircuitBreaker.State.HALF_OPEN);
        breaker.record(trial, false, T + 10_002);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void a_lost_trial_is_replaced_after_the_max_cooldown() {
        openIt();
        assertThat(breaker.tryAcquire(T + 10_000).trial()).isTrue();
        assertThat(breaker.tryAcquire(T + 10_000 + 34_999).allowed()).isFalse();
        assertThat(breaker.tryAcquire(T + 10_000 + 35_000).trial()).isTrue();
    }

    @Test
    void the_registry_evicts_idle_closed_breakers_but_keeps_open_ones() {
        CircuitBreakers breakers = new CircuitBreakers(policy, 2);
        for (int i = 0; i < 5; i++) {
            CircuitBreaker b = breakers.of("webhook https://h" + i);
            b.record(b.tryAcquire(T), false, T);
        }
        CircuitBreaker down = breakers.of("webhook https://down");
        for (int i = 0; i < 3; i++) {
            down.record(down.tryAcquire(T), true, T);
        }
        assertThat(breakers.size()).isEqualTo(6);
        breakers.evictIdle(T + 1);
        assertThat(breakers.size()).isEqualTo(1);
        assertThat(breakers.of("webhook https://down")).isSameAs(down);
    }
}
