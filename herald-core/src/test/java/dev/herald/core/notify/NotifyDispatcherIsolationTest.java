package dev.herald.core.notify;

import dev.herald.core.testing.FakeNotifier;
import dev.herald.core.testing.FakeNotifier.Behaviour;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Hanging endpoints, circuit breakers and crashed nodes: what one failure may not take down with it. */
class NotifyDispatcherIsolationTest extends DispatcherFixture {

    @Test
    void a_hanging_channel_times_out_and_never_delays_another_channel() {
        email.behave(Behaviour.hang());
        policies.put("email", new ChannelPolicy(fast(5).retry(), 2, Duration.ofMillis(3_000), fast(5).circuit()));
        started(email, webhook);
        NotifyJob mail1 = enqueue(job("email", "a@example.com"));
        NotifyJob mail2 = enqueue(job("email", "b@example.com"));
        NotifyJob mail3 = enqueue(job("email", "c@example.com"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> email.callCount() == 2); // the channel's whole budget hangs

        NotifyJob hook = enqueue(job("webhook", "https://a.example/hook"));

        awaitState(hook, JobState.SENT);
        assertThat(stored(mail1).attempts()).as("still hanging when the webhook went out").isEmpty();
        assertThat(stored(mail2).attempts()).isEmpty();
        assertThat(email.callsOf(mail3.id())).as("beyond the email budget").isEmpty();

        // the timeout frees the budget: the hung attempts are recorded as retries, and the third gets its turn
        await().atMost(10, TimeUnit.SECONDS).until(() -> !stored(mail1).attempts().isEmpty() && !stored(mail2).attempts().isEmpty());
        assertThat(stored(mail1).attempts().get(0).outcome()).isEqualTo(SendResult.Outcome.RETRY);
        assertThat(stored(mail1).attempts().get(0).error()).isEqualTo("timed out after 3s");
        await().atMost(10, TimeUnit.SECONDS).until(() -> !email.callsOf(mail3.id()).isEmpty());
    }

    @Test
    void a_hanging_endpoint_does_not_hold_up_other_endpoints_of_its_channel_within_the_budget() {
        webhook.behaveFor("https://slow.example", Behaviour.hang());
        policies.put("webhook", new ChannelPolicy(fast(5).retry(), 3, Duration.ofSeconds(20), fast(5).circuit()));
        started(webhook);
        NotifyJob slow1 = enqueue(job("webhook", "https://slow.example"));
        NotifyJob slow2 = enqueue(job("webhook", "https://slow.example"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> webhook.callCount() == 2);

        NotifyJob fast = enqueue(job("webhook", "https://fast.example"));

        awaitState(fast, JobState.SENT);
        assertThat(stored(slow1).attempts()).isEmpty();
        assertThat(stored(slow2).attempts()).isEmpty();
    }

    @Test
    void the_circuit_opens_postpones_without_attempts_lets_one_trial_through_and_closes() {
        String down = "https://down.example/hook";
        webhook.behaveFor(down, Behaviour.retry("HTTP 503"));
        policies.put("webhook", new ChannelPolicy(
                new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(10), 1.0, 100, LONG), 8, Duration.ofSeconds(5),
                new CircuitPolicy(3, Duration.ofMillis(800), Duration.ofMillis(800))));
        started(webhook);
        NotifyJob first = enqueue(job("webhook", down));

        await().atMost(10, TimeUnit.SECONDS).until(() -> metrics.count("circuitOpened", "webhook") == 1);
        assertThat(webhook.callsTo(down)).hasSize(3);
        NotifyJob second = enqueue(job("webhook", down));
        NotifyJob other = enqueue(job("webhook", "https://up.example/hook"));

        // one endpoint's circuit: the other endpoint is untouched, the down one's jobs wait without an attempt
        awaitState(other, JobState.SENT);
        await().atMost(10, TimeUnit.SECONDS).until(() -> stored(second).lastError() != null);
        assertThat(stored(second).lastError()).startsWith("circuit open");
        assertThat(stored(second).attemptCount()).isZero();
        assertThat(stored(second).state()).isEqualTo(JobState.PENDING);
        await().atMost(10, TimeUnit.SECONDS).until(() -> stored(first).lastError().startsWith("circuit open"));
        assertThat(stored(first).attemptCount()).isEqualTo(3);
        assertThat(webhook.callsTo(down)).hasSize(3);
        assertThat(metrics.count("postponed", "webhook")).isGreaterThanOrEqualTo(2);

        webhook.behaveFor(down, Behaviour.ok());

        NotifyJob firstSent = awaitState(first, JobState.SENT);
        NotifyJob secondSent = awaitState(second, JobState.SENT);
        assertThat(firstSent.attemptCount()).isEqualTo(4);
        assertThat(secondSent.attemptCount()).isEqualTo(1);
        assertThat(firstSent.attempts().get(3).at() - firstSent.attempts().get(2).at())
                .as("no attempt while open").isGreaterThanOrEqualTo(800);
        assertThat(webhook.callsTo(down)).as("3 failures, the trial, then the other job").hasSize(5);
        assertThat(metrics.count("circuitOpened", "webhook")).isEqualTo(1);
    }

    @Test
    void a_failed_trial_opens_the_circuit_again() {
        String down = "https://down.example/hook";
        webhook.behave(Behaviour.retry("HTTP 503"));
        policies.put("webhook", new ChannelPolicy(
                new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(10), 1.0, 100, LONG), 8, Duration.ofSeconds(5),
                new CircuitPolicy(2, Duration.ofMillis(200), Duration.ofMillis(400))));
        started(webhook);
        NotifyJob job = enqueue(job("webhook", down));

        await().atMost(10, TimeUnit.SECONDS).until(() -> metrics.count("circuitOpened", "webhook") >= 3);

        NotifyJob stored = stored(job);
        assertThat(stored.state()).isEqualTo(JobState.PENDING);
        // 2 failures open it, then each trial is one more attempt: never a burst while open or half-open
        assertThat(stored.attemptCount()).isBetween(4, 5);
        assertThat(stored.attempts().get(3).at() - stored.attempts().get(2).at()).isGreaterThanOrEqualTo(400);
    }

    @Test
    void a_job_leased_by_a_crashed_dispatcher_is_taken_by_the_next_one_after_the_lease() {
        FakeNotifier crashing = new FakeNotifier("webhook").behave(Behaviour.hang());
        policies.put("webhook", new ChannelPolicy(fast(5).retry(), 8, Duration.ofMillis(500), fast(5).circuit()));
        Duration lease = Duration.ofMillis(1_200);
        NotifyDispatcher first = dispatcher(POLL, lease, crashing);
        first.start();
        long claimedBy = clock.millis();
        NotifyJob job = enqueue(job("webhook", "https://a.example/hook"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> crashing.callCount() == 1);

        first.close(Duration.ZERO); // the send never finished: nothing recorded, the lease stays
        NotifyDispatcher second = dispatcher(POLL, lease, webhook);
        second.start();

        NotifyJob sent = awaitState(job, JobState.SENT);
        assertThat(sent.attempts()).as("the crashed attempt left no record").singleElement()
                .satisfies(a -> assertThat(a.at()).isGreaterThanOrEqualTo(claimedBy + lease.toMillis()));
        assertThat(webhook.callsOf(job.id())).hasSize(1);
        assertThat(crashing.callCount()).isEqualTo(1);
    }
}
