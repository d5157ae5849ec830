package dev.herald.core.hub;

import dev.herald.core.message.Message;
import dev.herald.core.message.Target;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import dev.herald.core.session.DeliveryLane;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Broadcast split per transport thread ({@link DeliveryLane}): each lane's sessions are walked on the
 * lane's own thread, and messages from one publisher reach every session in publish order even when a
 * personal message follows a broadcast that is still waiting for its lane.
 */
class HubLanesTest {
    private final HubStats stats = new HubStats();
    private final Hub hub = new Hub(16, 10, stats);
    private final ExecutorService loopA = Executors.newSingleThreadExecutor(r -> new Thread(r, "lane-a"));
    private final ExecutorService loopB = Executors.newSingleThreadExecutor(r -> new Thread(r, "lane-b"));
    private final DeliveryLane laneA = lane(loopA, "lane-a");
    private final DeliveryLane laneB = lane(loopB, "lane-b");

    @AfterEach
    void stop() {
        loopA.shutdownNow();
        loopB.shutdownNow();
    }

    private static DeliveryLane lane(ExecutorService loop, String threadName) {
        return new DeliveryLane(loop, () -> Thread.currentThread().getName().equals(threadName));
    }

    /** Records each frame's text and the thread that queued it. */
    static final class LaneSession extends BaseSession {
        private static final AtomicInteger SEQ = new AtomicInteger();
        private final DeliveryLane lane;
        final List<String> frames = new ArrayList<>();
        final List<String> threads = new ArrayList<>();

        LaneSession(String userId, DeliveryLane lane) {
            super("s" + SEQ.incrementAndGet(), "127.0.0.1:1", Instant.EPOCH);
            this.lane = lane;
            bind(userId, Protocol.SEED);
        }

        @Override
        public DeliveryLane lane() {
            return lane;
        }

        @Override
        public synchronized boolean send(byte[] frame) {
            frames.add(new String(frame, StandardCharsets.UTF_8));
            threads.add(Thread.currentThread().getName());
            return true;
        }

        synchronized List<String> frames() {
            return List.copyOf(frames);
        }

        synchronized List<String> threads() {
            return List.copyOf(threads);
        }

        @Override
        protected void closeTransport(CloseReason reason) { }
    }

    private static Message message(String text) {
        return new Message(text, 0, "\"" + text + "\"", text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void broadcast_walks_each_lanes_sessions_on_that_lanes_thread() {
        List<LaneSession> sessions = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            LaneSession s = new LaneSession("u" + i, i % 2 == 0 ? laneA : laneB);
            hub.add(s);
            sessions.add(s);
        }

        int delivered = hub.deliver(List.of(Target.Everyone.INSTANCE), message("all-1"));

        assertThat(delivered).isEqualTo(100);
        await().atMost(5, TimeUnit.SECONDS).until(() -> sessions.stream().allMatch(s -> s.frames().size() == 1));
        for (int i = 0; i < 100; i++) {
            assertThat(sessions.get(i).threads()).containsExactly(i % 2 == 0 ? "lane-a" : "lane-b");
        }
        assertThat(stats.messagesOut.sum()).isEqualTo(100);
    }

    @Test
    void personal_message_after_a_waiting_broadcast_stays_behind_it() throws Exception {
        LaneSession alice = new LaneSession("alice", laneA);
        LaneSession bob = new LaneSession("bob", laneB);
        hub.add(alice);
        hub.add(bob);
        // lane A is busy with something else: the broadcast's walk there has to wait
        CountDownLatch release = new CountDownLatch(1);
        loopA.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        hub.deliver(List.of(Target.Everyone.INSTANCE), message("broadcast"));
        hub.deliver(List.of(new Target.User("alice")), message("personal-1"));
        hub.deliver(List.of(new Target.User("bob")), message("personal-2"));
        assertThat(alice.frames()).as("nothing overtakes the waiting broadcast").isEmpty();
        release.countDown();

        await().atMost(5, TimeUnit.SECONDS).until(() -> alice.frames().size() == 2 && bob.frames().size() == 2);
        assertThat(alice.frames()).containsExactly("broadcast", "personal-1");
        assertThat(bob.frames()).containsExactly("broadcast", "personal-2");
        await().atMost(5, TimeUnit.SECONDS).until(() -> !laneA.busy() && !laneB.busy());
        // with nothing waiting, a personal message goes straight to the session from the publisher's thread
        hub.deliver(List.of(new Target.User("alice")), message("personal-3"));
        assertThat(alice.frames()).containsExactly("broadcast", "personal-1", "personal-3");
        assertThat(alice.threads().get(2)).isEqualTo(Thread.currentThread().getName());
    }

    @Test
    void one_publisher_interleaving_broadcasts_and_personal_messages_keeps_publish_order_per_connection() {
        List<LaneSession> sessions = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            LaneSession s = new LaneSession("u" + i, i % 2 == 0 ? laneA : laneB);
            hub.add(s);
            sessions.add(s);
        }
        int messages = 2_000;
        for (int m = 0; m < messages; m++) {
            List<Target> to = m % 3 == 0 ? List.of(Target.Everyone.INSTANCE) : List.of(new Target.User("u" + (m % 20)));
            hub.deliver(to, message(String.format("%05d", m)));
        }

        await().atMost(10, TimeUnit.SECONDS).until(() -> !laneA.busy() && !laneB.busy());
        for (int i = 0; i < 20; i++) {
            List<String> got = sessions.get(i).frames();
            List<String> expected = new ArrayList<>();
            for (int m = 0; m < messages; m++) {
                if (m % 3 == 0 || m % 20 == i) {
                    expected.add(String.format("%05d", m));
                }
            }
            assertThat(got).as("session u%d", i).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void a_removed_session_leaves_its_lane() {
        LaneSession s = new LaneSession("u1", laneA);
        hub.add(s);
        assertThat(laneA.size()).isEqualTo(1);
        hub.remove(s);
        assertThat(laneA.size()).isZero();
        assertThat(hub.deliver(List.of(Target.Everyone.INSTANCE), message("m"))).isZero();
    }

    @Test
    void sessions_without_a_lane_are_walked_on_the_publishing_thread() {
        LaneSession s = new LaneSession("u1", null);
        hub.add(s);

        assertThat(hub.deliver(List.of(Target.Everyone.INSTANCE), message("m"))).isEqualTo(1);
        assertThat(s.frames()).containsExactly("m");
        assertThat(s.threads()).containsExactly(Thread.currentThread().getName());
    }
}
