package dev.herald.core.notify;

import dev.herald.core.message.MessageIds;
import dev.herald.core.store.MemoryMessageStore;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.testing.FakeNotifier;
import org.junit.jupiter.api.AfterEach;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * What the dispatcher tests share: a real memory store, fake notifiers, millisecond policies, and helpers
 * to record jobs and read them back. Dispatchers made here are closed after each test.
 */
abstract class DispatcherFixture {
    static final Duration POLL = Duration.ofMillis(20);
    static final Duration LEASE = Duration.ofSeconds(30);
    static final Duration LONG = Duration.ofMinutes(10);

    final Clock clock = Clock.systemUTC();
    final MessageIds ids = new MessageIds();
    final MemoryMessageStore memory = new MemoryMessageStore(StoreLimits.defaults());
    final FlakyNotifyStore store = new FlakyNotifyStore(memory);
    final RecordingMetrics metrics = new RecordingMetrics();
    final FakeNotifier webhook = new FakeNotifier("webhook");
    final FakeNotifier email = new FakeNotifier("email");
    final Map<String, ChannelPolicy> policies = new HashMap<>();
    private final List<NotifyDispatcher> dispatchers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        dispatchers.forEach(d -> d.close(Duration.ZERO));
        memory.close();
    }

    /** Retries after 10–20 ms, then 20–40 ms…, up to {@code maxAttempts}; a circuit that never opens. */
    static ChannelPolicy fast(int maxAttempts) {
        return new ChannelPolicy(new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(80), 2.0, maxAttempts, LONG), 8,
                Duration.ofSeconds(5), new CircuitPolicy(1_000, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    }

    NotifyDispatcher dispatcher(Duration poll, Duration lease, FakeNotifier... notifiers) {
        Notifiers registry = new Notifiers();
        for (FakeNotifier n : notifiers) {
            registry.register(n);
        }
        NotifyDispatcher d = new NotifyDispatcher(registry, store, memory,
                channel -> policies.getOrDefault(channel, fast(5)), metrics, clock, poll, lease);
        dispatchers.add(d);
        return d;
    }

    NotifyDispatcher started(FakeNotifier... notifiers) {
        NotifyDispatcher d = dispatcher(POLL, LEASE, notifiers);
        d.start();
        return d;
    }

    /** A job due now to an explicit destination. */
    NotifyJob job(String channel, String address) {
        return job(channel, null, new Destination(channel, address, null), clock.millis(), clock.millis() + LONG.toMillis(), false);
    }

    /** A job due now to {@code userId}'s contact. */
    NotifyJob jobFor(String channel, String userId) {
        return job(channel, userId, null, clock.millis(), clock.millis() + LONG.toMillis(), false);
    }

    NotifyJob job(String channel, String userId, Destination destination, long dueAt, long deadline, boolean fallback) {
        return job(ids.next(clock.millis()), channel, userId, destination, dueAt, deadline, fallback);
    }

    NotifyJob job(String messageId, String channel, String userId, Destination destination, long dueAt, long deadline,
                  boolean fallback) {
        String id = ids.next(clock.millis());
        Notification content = new Notification(id, messageId, userId, clock.millis(), "Title", "text", null, null, "{}");
        return NotifyJob.create(id, messageId, channel, userId, destination, content, clock.millis(), dueAt, deadline, fallback);
    }

    NotifyJob enqueue(NotifyJob job) {
        memory.enqueue(List.of(job)).orTimeout(5, TimeUnit.SECONDS).join();
        return job;
    }

    NotifyJob stored(NotifyJob job) {
        return memory.job(job.id()).orTimeout(5, TimeUnit.SECONDS).join().orElseThrow();
    }

    NotifyJob awaitState(NotifyJob job, JobState state) {
        await().atMost(10, TimeUnit.SECONDS).until(() -> stored(job).state() == state);
        return stored(job);
    }

    void putContact(String userId, String channel, String address) {
        memory.putContacts(userId, new Contacts(Map.of(channel, new Destination(channel, address, null)), Map.of(),
                clock.millis())).orTimeout(5, TimeUnit.SECONDS).join();
    }
}
