package dev.herald.core.hub;

import dev.herald.core.message.Message;
import dev.herald.core.message.Target;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Many threads adding, removing, subscribing and publishing at once: nothing leaks, nothing is lost. */
class HubConcurrencyTest {
    private static final int THREADS = 8;
    private static final int ITERATIONS = 3_000;

    private final HubStats stats = new HubStats();
    private final Hub hub = new Hub(16, 10_000, stats);
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    /** Counts every frame it receives by content (frames carry unique message ids). */
    static final class CountingSession extends BaseSession {
        private static final AtomicInteger SEQ = new AtomicInteger();
        final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();

        CountingSession(String userId) {
            super("s" + SEQ.incrementAndGet(), "127.0.0.1:1", Instant.EPOCH);
            bind(userId, Protocol.HERALD);
        }

        @Override
        public boolean send(byte[] frame) {
            if (isClosed()) {
                return false;
            }
            received.computeIfAbsent(new String(frame, StandardCharsets.UTF_8), k -> new AtomicInteger()).incrementAndGet();
            return true;
        }

        @Override
        protected void closeTransport(CloseReason reason) { }

        int count(byte[] frame) {
            AtomicInteger n = received.get(new String(frame, StandardCharsets.UTF_8));
            return n == null ? 0 : n.get();
        }
    }

    private CountingSession registered(String userId) {
        CountingSession s = new CountingSession(userId);
        s.onClose(() -> hub.remove(s)); // as ClientConnection wires it
        return s;
    }

    private static Message message(String id) {
        return new Message(id, 1L, "\"" + id + "\"", id.getBytes(StandardCharsets.UTF_8));
    }

    /** Runs the tasks on the pool, all released at once by a start gate; returns their results. */
    private <T> List<T> runTogether(List<Callable<T>> tasks) throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) {
            futures.add(pool.submit(() -> {
                gate.await();
                return task.call();
            }));
        }
        gate.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            results.add(f.get(60, TimeUnit.SECONDS));
        }
        return results;
    }

    @Test
    void concurrent_churn_leaks_nothing_and_stable_sessions_get_every_message_exactly_once() throws Exception {
        // sessions live for the whole publishing phase; they share user ids with the churning ones
        List<CountingSession> stable = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            CountingSession s = registered("user-" + (i % 4));
            assertThat(hub.add(s)).isNotEqualTo(Hub.AddResult.TOO_MANY_CONNECTIONS);
            assertThat(hub.subscribe(s, "shared")).isTrue();
            stable.add(s);
        }
        ConcurrentLinkedQueue<CountingSession> live = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Message> publishedQueue = new ConcurrentLinkedQueue<>();

        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            if (t % 2 == 0) {
                // churner: add sessions (same user ids as the stable ones), subscribe them, and close
                // sessions other churners created, while publishing goes on
                tasks.add(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < ITERATIONS; i++) {
                        CountingSession s = registered("user-" + random.nextInt(6));
                        hub.add(s);
                        hub.subscribe(s, "shared");
                        hub.subscribe(s, "topic-" + random.nextInt(5));
                        live.add(s);
                        CountingSession other = live.poll();
                        if (other != null) {
                            if (random.nextBoolean()) {
                                hub.unsubscribe(other, "shared");
                            }
                            other.close(CloseReason.KICKED); // close listener removes it from the hub
                        }
                        CountingSession maybe = live.peek();
                        if (maybe != null) {
                            hub.subscribe(maybe, "topic-" + random.nextInt(5)); // may race with its close
                        }
                    }
                    return 0;
                });
            } else {
                // publisher: alternately to everyone, and to a topic plus a user (dedupe under churn)
                tasks.add(() -> {
                    int delivered = 0;
                    for (int i = 0; i < ITERATIONS / 4; i++) {
                        Message m = message("m-" + thread + "-" + i);
                        List<Target> targets = i % 2 == 0
                                ? List.of(Target.Everyone.INSTANCE)
                                : List.of(new Target.Topic("shared"), new Target.User("user-" + (i % 4)), new Target.Topic("topic-1"));
                        delivered += hub.deliver(targets, m);
                        publishedQueue.add(m);
                    }
                    return delivered;
                });
            }
        }
        List<Integer> delivered = runTogether(tasks);

        assertThat(publishedQueue).hasSize(THREADS / 2 * (ITERATIONS / 4));
        assertThat(delivered.stream().mapToInt(Integer::intValue).sum()).isGreaterThanOrEqualTo(publishedQueue.size() * stable.size());
        for (CountingSession s : stable) {
            for (Message m : publishedQueue) {
                byte[] direct = m.envelopeFrame(new Target.User(s.userId()));
                byte[] viaShared = m.envelopeFrame(new Target.Topic("shared"));
                byte[] broadcast = m.envelopeFrame(Target.Everyone.INSTANCE);
                assertThat(s.count(direct) + s.count(viaShared) + s.count(broadcast))
                        .as("session %s (user %s) got message %s", s.id(), s.userId(), m.id())
                        .isEqualTo(1);
            }
        }

        CountingSession leftover;
        while ((leftover = live.poll()) != null) {
            leftover.close(CloseReason.GOING_AWAY);
        }
        for (CountingSession s : stable) {
            s.close(CloseReason.GOING_AWAY);
        }
        assertThat(hub.connectionCount()).isZero();
        assertThat(hub.userCount()).isZero();
        assertThat(hub.topicCount()).isZero();
        assertThat(hub.snapshot()).isEmpty();
    }

    @Test
    void a_subscription_made_while_another_session_leaves_the_topic_is_never_lost() throws Exception {
        // each thread owns one session and toggles it on one hot topic; other threads' unsubscribes
        // empty the topic concurrently. Right after subscribing, a message to the topic must reach it.
        List<CountingSession> sessions = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            CountingSession s = registered("hot-" + t);
            hub.add(s);
            sessions.add(s);
        }
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            CountingSession mine = sessions.get(t);
            int thread = t;
            tasks.add(() -> {
                int lost = 0;
                for (int i = 0; i < ITERATIONS; i++) {
                    hub.subscribe(mine, "hot");
                    Message m = message("hot-" + thread + "-" + i);
                    hub.deliver(List.of(new Target.Topic("hot")), m);
                    if (mine.count(m.envelopeFrame(new Target.Topic("hot"))) != 1) {
                        lost++;
                    }
                    hub.unsubscribe(mine, "hot");
                }
                return lost;
            });
        }

        List<Integer> lost = runTogether(tasks);

        assertThat(lost).as("messages lost per thread right after subscribing").allMatch(n -> n == 0);
        assertThat(hub.topicCount()).isZero();
        sessions.forEach(s -> s.close(CloseReason.GOING_AWAY));
        assertThat(hub.connectionCount()).isZero();
        assertThat(hub.userCount()).isZero();
    }
}
