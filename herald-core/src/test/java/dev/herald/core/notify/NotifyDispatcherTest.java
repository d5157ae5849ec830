package dev.herald.core.notify;

import dev.herald.core.testing.FakeNotifier.Behaviour;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Retries, dead letters, contacts, and the loop's own robustness. */
class NotifyDispatcherTest extends DispatcherFixture {

    @Test
    void the_first_attempt_follows_wake_without_waiting_for_a_poll() {
        NotifyDispatcher d = dispatcher(Duration.ofHours(1), LEASE, webhook);
        d.start();
        await().atMost(5, TimeUnit.SECONDS).until(() -> store.claimsAnswered.get() >= 1); // the start-up poll is over
        NotifyJob job = enqueue(job("webhook", "https://a.example/hook"));

        d.wake();

        NotifyJob sent = awaitState(job, JobState.SENT);
        assertThat(sent.attempts()).singleElement().satisfies(a -> {
            assertThat(a.number()).isEqualTo(1);
            assertThat(a.outcome()).isEqualTo(SendResult.Outcome.OK);
            assertThat(a.statusCode()).isEqualTo(200);
        });
        assertThat(webhook.callsOf(job.id())).singleElement()
                .satisfies(c -> assertThat(c.destination().address()).isEqualTo("https://a.example/hook"));
        assertThat(metrics.count("sent", "webhook")).isEqualTo(1);
    }

    @Test
    void scheduled_jobs_due_now_wake_the_loop() {
        NotifyDispatcher d = dispatcher(Duration.ofHours(1), LEASE, webhook);
        d.start();
        await().atMost(5, TimeUnit.SECONDS).until(() -> store.claimsAnswered.get() >= 1);
        NotifyJob job = enqueue(job("webhook", "https://a.example/hook"));

        d.scheduled(List.of(job));

        awaitState(job, JobState.SENT);
    }

    @Test
    void a_backlog_larger_than_the_budget_drains_without_waiting_for_polls() {
        policies.put("webhook", new ChannelPolicy(fast(5).retry(), 2, Duration.ofSeconds(5), fast(5).circuit()));
        NotifyDispatcher d = dispatcher(Duration.ofHours(1), LEASE, webhook);
        d.start();
        await().atMost(5, TimeUnit.SECONDS).until(() -> store.claimsAnswered.get() >= 1);
        List<NotifyJob> jobs = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            jobs.add(enqueue(job("webhook", "https://a.example/hook/" + i)));
        }

        d.wake();

        for (NotifyJob job : jobs) {
            awaitState(job, JobState.SENT);
        }
        await().atMost(5, TimeUnit.SECONDS).until(() -> d.inFlight("webhook") == 0);
    }

    @Test
    void a_retryable_failure_is_retried_and_then_sent() {
        webhook.behave(Behaviour.failFirst(1, Behaviour.retry("HTTP 503")));
        started(webhook);

        NotifyJob sent = awaitState(enqueue(job("webhook", "https://a.example/hook")), JobState.SENT);

        assertThat(sent.attemptCount()).isEqualTo(2);
        assertThat(sent.attempts()).extracting(Attempt::outcome).containsExactly(SendResult.Outcome.RETRY, SendResult.Outcome.OK);
        assertThat(sent.attempts().get(0).error()).isEqualTo("HTTP 503");
        assertThat(sent.attempts().get(0).statusCode()).isEqualTo(503);
        assertThat(sent.attempts().get(1).number()).isEqualTo(2);
        assertThat(metrics.count("retried", "webhook")).isEqualTo(1);
        assertThat(metrics.count("failed-retry", "webhook")).isEqualTo(1);
        assertThat(metrics.count("sent", "webhook")).isEqualTo(1);
    }

    @Test
    void backoff_grows_between_attempts_and_the_last_failure_makes_a_dead_letter() {
        policies.put("webhook", new ChannelPolicy(new RetryPolicy(Duration.ofMillis(60), Duration.ofMillis(240), 2.0, 4, LONG),
                8, Duration.ofSeconds(5), fast(1).circuit()));
        webhook.behave(Behaviour.retry("HTTP 503"));
        started(webhook);

        NotifyJob dead = awaitState(enqueue(job("webhook", "https://a.example/hook")), JobState.DEAD);

        assertThat(dead.attemptCount()).isEqualTo(4);
        assertThat(dead.lastError()).contains("HTTP 503").contains("gave up after 4 attempts");
        assertThat(webhook.callsOf(dead.id())).hasSize(4);
        List<Attempt> a = dead.attempts();
        // equal jitter: each wait is at least half its backoff (60, 120, 240 ms)
        assertThat(a.get(1).at() - a.get(0).at()).isGreaterThanOrEqualTo(30);
        assertThat(a.get(2).at() - a.get(1).at()).isGreaterThanOrEqualTo(60);
        assertThat(a.get(3).at() - a.get(2).at()).isGreaterThanOrEqualTo(120);
        assertThat(metrics.count("retried", "webhook")).isEqualTo(3);
        assertThat(metrics.count("dead", "webhook")).isEqualTo(1);
    }

    @Test
    void retry_after_is_honoured() {
        webhook.behave(Behaviour.failFirst(1, Behaviour.retry("HTTP 429", Duration.ofMillis(700))));
        started(webhook);

        NotifyJob sent = awaitState(enqueue(job("webhook", "https://a.example/hook")), JobState.SENT);

        assertThat(sent.attempts().get(1).at() - sent.attempts().get(0).at())
                .as("the backoff alone would be 10-20 ms").isGreaterThanOrEqualTo(700);
    }

    @Test
    void the_deadline_makes_a_dead_letter_even_with_attempts_left() {
        webhook.behave(Behaviour.retry("HTTP 503"));
        long now = clock.millis();
        NotifyJob job = enqueue(job("webhook", null, new Destination("webhook", "https://a.example/hook", null), now, now + 400, false));
        policies.put("webhook", new ChannelPolicy(new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(50), 1.0, 1_000, LONG),
                8, Duration.ofSeconds(5), fast(1).circuit()));
        started(webhook);

        NotifyJob dead = awaitState(job, JobState.DEAD);

        assertThat(dead.lastError()).contains("HTTP 503").contains("deadline");
        assertThat(dead.attemptCount()).isBetween(2, 20);
        assertThat(dead.attempts()).allSatisfy(a -> assertThat(a.at()).isLessThan(job.deadline()));
    }

    @Test
    void a_job_whose_deadline_passed_before_it_was_claimed_dies_without_an_attempt() {
        long now = clock.millis();
        NotifyJob job = enqueue(job("webhook", null, new Destination("webhook", "https://a.example/hook", null), now - 10, now - 1, false));
        started(webhook);

        NotifyJob dead = awaitState(job, JobState.DEAD);

        assertThat(dead.attempts()).isEmpty();
        assertThat(dead.lastError()).contains("deadline");
        assertThat(webhook.callCount()).isZero();
    }

    @Test
    void a_permanent_failure_is_dead_after_one_attempt() {
        webhook.behave(Behaviour.permanent("HTTP 400 bad payload"));
        started(webhook);

        NotifyJob dead = awaitState(enqueue(job("webhook", "https://a.example/hook")), JobState.DEAD);

        assertThat(dead.attemptCount()).isEqualTo(1);
        assertThat(dead.lastError()).isEqualTo("HTTP 400 bad payload");
        assertThat(dead.attempts()).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo(SendResult.Outcome.PERMANENT);
            assertThat(a.statusCode()).isEqualTo(400);
        });
        assertThat(metrics.count("retried", "webhook")).isZero();
        assertThat(metrics.count("dead", "webhook")).isEqualTo(1);
    }

    @Test
    void gone_disables_the_users_contact_so_later_jobs_die_without_a_send() {
        putContact("u1", "webhook", "https://gone.example/hook");
        webhook.behave(Behaviour.gone());
        started(webhook);

        NotifyJob first = awaitState(enqueue(jobFor("webhook", "u1")), JobState.DEAD);

        assertThat(first.lastError()).isEqualTo("HTTP 410 Gone");
        assertThat(first.attempts()).singleElement().extracting(Attempt::outcome).isEqualTo(SendResult.Outcome.GONE);
        await().atMost(5, TimeUnit.SECONDS).until(() -> memory.contacts("u1").join().orElseThrow().disabled().containsKey("webhook"));
        assertThat(memory.contacts("u1").join().orElseThrow().disabled()).containsEntry("webhook", "HTTP 410 Gone");

        NotifyJob second = awaitState(enqueue(jobFor("webhook", "u1")), JobState.DEAD);
        assertThat(second.lastError()).isEqualTo("the webhook contact of user u1 is disabled: HTTP 410 Gone");
        assertThat(webhook.callCount()).isEqualTo(1);
    }

    @Test
    void gone_from_an_explicit_target_disables_no_contact() {
        putContact("u1", "webhook", "https://a.example/hook");
        webhook.behave(Behaviour.gone());
        started(webhook);

        NotifyJob job = job("webhook", "u1", new Destination("webhook", "https://a.example/hook", null), clock.millis(),
                clock.millis() + LONG.toMillis(), false);
        awaitState(enqueue(job), JobState.DEAD);

        assertThat(memory.contacts("u1").join().orElseThrow().disabled()).isEmpty();
    }

    @Test
    void a_user_without_a_contact_for_the_channel_gets_a_dead_letter_with_the_reason() {
        putContact("u9", "email", "u9@example.com");
        started(webhook);

        NotifyJob dead = awaitState(enqueue(jobFor("webhook", "u9")), JobState.DEAD);

        assertThat(dead.lastError()).isEqualTo("no webhook contact for user u9");
        assertThat(dead.attempts()).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo(SendResult.Outcome.PERMANENT);
            assertThat(a.error()).isEqualTo("no webhook contact for user u9");
        });
        assertThat(webhook.callCount()).isZero();
    }

    @Test
    void the_users_contact_is_where_it_goes() {
        putContact("u1", "webhook", "https://u1.example/hook");
        started(webhook);

        NotifyJob job = awaitState(enqueue(jobFor("webhook", "u1")), JobState.SENT);

        assertThat(webhook.callsOf(job.id())).singleElement()
                .satisfies(c -> assertThat(c.destination().address()).isEqualTo("https://u1.example/hook"));
    }

    @Test
    void a_notifier_that_throws_or_fails_its_future_is_a_retry_whose_detail_hides_the_message() {
        webhook.behaveFor("https://throws.example", Behaviour.failFirst(1, Behaviour.throwing("s3cr3t")));
        webhook.behaveFor("https://fails.example", Behaviour.failFirst(1, Behaviour.failedFuture("s3cr3t")));
        started(webhook);

        NotifyJob threw = awaitState(enqueue(job("webhook", "https://throws.example")), JobState.SENT);
        NotifyJob failed = awaitState(enqueue(job("webhook", "https://fails.example")), JobState.SENT);

        assertThat(threw.attempts().get(0).outcome()).isEqualTo(SendResult.Outcome.RETRY);
        assertThat(threw.attempts().get(0).error()).isEqualTo("notifier error: IllegalStateException");
        assertThat(failed.attempts().get(0).error()).isEqualTo("notifier error: IOException");
        assertThat(threw.attemptCount()).isEqualTo(2);
    }

    @Test
    void failing_claims_do_not_stop_the_loop() {
        store.failNextClaims(3);
        started(webhook);

        NotifyJob job = awaitState(enqueue(job("webhook", "https://a.example/hook")), JobState.SENT);

        assertThat(store.claimsFailed.get()).isEqualTo(3);
        assertThat(job.attemptCount()).isEqualTo(1);
    }

    @Test
    void jobs_of_a_channel_without_a_notifier_stay_pending() {
        started(webhook);
        NotifyJob sms = enqueue(job("sms", "+15550100"));
        NotifyJob hook = enqueue(job("webhook", "https://a.example/hook"));

        awaitState(hook, JobState.SENT);
        await().atMost(5, TimeUnit.SECONDS).until(() -> store.claimsAnswered.get() >= 3);

        assertThat(stored(sms).state()).isEqualTo(JobState.PENDING);
        assertThat(stored(sms).attempts()).isEmpty();
    }

    @Test
    void close_waits_for_sends_under_way_and_records_them() {
        webhook.behave(call -> CompletableFuture.supplyAsync(() -> SendResult.ok(202),
                CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS)));
        NotifyDispatcher d = started(webhook);
        NotifyJob job = enqueue(job("webhook", "https://a.example/hook"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> webhook.callCount() == 1);

        d.close(Duration.ofSeconds(10));

        assertThat(d.inFlight("webhook")).isZero();
        assertThat(stored(job).state()).isEqualTo(JobState.SENT);
    }

    @Test
    void the_lease_must_exceed_the_attempt_timeout() {
        policies.put("webhook", new ChannelPolicy(RetryPolicy.DEFAULT, 4, Duration.ofSeconds(30)));

        assertThatThrownBy(() -> dispatcher(POLL, Duration.ofSeconds(30), webhook))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lease").hasMessageContaining("webhook");
    }
}
