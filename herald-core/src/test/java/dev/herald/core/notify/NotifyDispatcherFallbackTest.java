package dev.herald.core.notify;

import dev.herald.core.store.DeliveryStatus;
import dev.herald.core.store.StatusUpdate;
import dev.herald.core.store.StoredMessage;
import dev.herald.core.testing.FakeNotifier;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Fallbacks: a channel delivery that fires only when the in-app message was not acked in time. */
class NotifyDispatcherFallbackTest extends DispatcherFixture {

    /** Appends a message for {@code users} with one e-mail fallback for {@code users[0]} firing after {@code delayMillis}. */
    private NotifyJob messageWithFallback(long delayMillis, String... users) {
        long now = clock.millis();
        String messageId = ids.next(now);
        NotifyJob fallback = job(messageId, "email", users[0], null, now + delayMillis, now + LONG.toMillis(), true);
        StoredMessage message = new StoredMessage(messageId, now, now + LONG.toMillis(), "{}", List.of(users), List.of(),
                false, null, List.of(fallback));
        memory.append(List.of(message)).orTimeout(5, TimeUnit.SECONDS).join();
        return fallback;
    }

    private void status(NotifyJob fallback, DeliveryStatus status) {
        memory.updateStatus(List.of(new StatusUpdate(fallback.messageId(), fallback.userId(), status, clock.millis())))
                .orTimeout(5, TimeUnit.SECONDS).join();
    }

    @Test
    void a_fallback_fires_at_its_time_when_the_message_was_not_acked() {
        putContact("u1", "email", "u1@example.com");
        NotifyDispatcher d = started(email);
        NotifyJob fallback = messageWithFallback(300, "u1");
        status(fallback, DeliveryStatus.DELIVERED); // delivered is not acked
        d.scheduled(List.of(fallback));

        NotifyJob sent = awaitState(fallback, JobState.SENT);

        assertThat(sent.attempts()).singleElement().satisfies(a -> assertThat(a.at()).isGreaterThanOrEqualTo(fallback.dueAt()));
        assertThat(email.callsOf(fallback.id())).singleElement()
                .satisfies(c -> assertThat(c.destination().address()).isEqualTo("u1@example.com"));
    }

    @Test
    void an_ack_cancels_a_known_fallback_at_once() {
        putContact("u1", "email", "u1@example.com");
        NotifyDispatcher d = started(email);
        NotifyJob unknown = messageWithFallback(LONG.toMillis(), "u1");
        NotifyJob known = messageWithFallback(LONG.toMillis(), "u1");
        d.scheduled(List.of(known));

        d.onStatus(new StatusUpdate(unknown.messageId(), "u1", DeliveryStatus.ACKED, clock.millis()));
        d.onStatus(new StatusUpdate(known.messageId(), "u1", DeliveryStatus.ACKED, clock.millis()));

        awaitState(known, JobState.CANCELLED);
        // the memory store answers in call order: had the first ack reached the store, it would be done by now
        assertThat(stored(unknown).state()).as("an ack of a message not known to have fallbacks writes nothing")
                .isEqualTo(JobState.WAITING_ACK);
        assertThat(metrics.count("fallbacksCancelled", "*")).isEqualTo(1);
        assertThat(email.callCount()).isZero();
    }

    @Test
    void delivered_does_not_cancel_and_another_users_ack_does_not_either() {
        putContact("u1", "email", "u1@example.com");
        NotifyDispatcher d = started(email);
        NotifyJob fallback = messageWithFallback(LONG.toMillis(), "u1", "u2");
        d.fallbackScheduled(fallback.messageId());
        NotifyJob marker = messageWithFallback(LONG.toMillis(), "u1");
        d.fallbackScheduled(marker.messageId());

        d.onStatus(new StatusUpdate(fallback.messageId(), "u1", DeliveryStatus.DELIVERED, clock.millis()));
        d.onStatus(new StatusUpdate(fallback.messageId(), "u2", DeliveryStatus.READ, clock.millis()));
        d.onStatus(new StatusUpdate(marker.messageId(), "u1", DeliveryStatus.READ, clock.millis()));

        awaitState(marker, JobState.CANCELLED);
        assertThat(stored(fallback).state()).isEqualTo(JobState.WAITING_ACK);
    }

    @Test
    void a_fallback_postponed_by_an_open_circuit_still_waits_for_the_ack() {
        putContact("u1", "email", "u1@example.com");
        email.behave(FakeNotifier.Behaviour.retry("451 try later"));
        policies.put("email", new ChannelPolicy(fast(100).retry(), 8, java.time.Duration.ofSeconds(5),
                new CircuitPolicy(1, LONG, LONG)));
        NotifyDispatcher d = started(email);
        awaitState(enqueue(job("email", "u1", new Destination("email", "u1@example.com", null), clock.millis(),
                clock.millis() + 1_000, false)), JobState.DEAD); // one failure opened the endpoint's circuit
        NotifyJob fallback = messageWithFallback(0, "u1");
        d.scheduled(List.of(fallback));

        await().atMost(10, TimeUnit.SECONDS).until(() -> stored(fallback).lastError() != null);
        assertThat(stored(fallback).state()).isEqualTo(JobState.WAITING_ACK);
        assertThat(stored(fallback).lastError()).startsWith("circuit open");
        assertThat(stored(fallback).dueAt()).isGreaterThan(clock.millis() + LONG.toMillis() / 2);

        d.onStatus(new StatusUpdate(fallback.messageId(), "u1", DeliveryStatus.ACKED, clock.millis()));

        awaitState(fallback, JobState.CANCELLED);
        assertThat(email.callsOf(fallback.id())).isEmpty();
    }

    @Test
    void a_fallback_acked_before_it_fires_is_cancelled_at_firing_time_even_unknown_to_this_node() {
        putContact("u1", "email", "u1@example.com");
        NotifyJob fallback = messageWithFallback(0, "u1");
        status(fallback, DeliveryStatus.READ); // e.g. acked on another node, or before a restart

        started(email);

        NotifyJob cancelled = awaitState(fallback, JobState.CANCELLED);
        assertThat(cancelled.attempts()).isEmpty();
        assertThat(email.callCount()).isZero();
        assertThat(metrics.count("cancelled", "email")).isEqualTo(1);
    }
}
