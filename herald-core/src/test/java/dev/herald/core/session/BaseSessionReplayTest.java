package dev.herald.core.session;

import dev.herald.core.testing.FakeSession;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Holding live messages while a replay runs: order, de-duplication, nesting, delivery reports, limits. */
class BaseSessionReplayTest {
    private final FakeSession session = FakeSession.herald("u");
    private final List<String> delivered = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    BaseSessionReplayTest() {
        session.onDelivered(id -> {
            synchronized (delivered) {
                delivered.add(id);
            }
        });
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private static byte[] frame(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void live_messages_arriving_during_a_replay_are_sent_after_the_replayed_ones() {
        session.beginReplay();
        session.deliver("03", frame("live-03"), true);
        session.deliver("04", frame("live-04"), true);
        assertThat(session.frames()).isEmpty();

        session.replay("01", frame("replay-01"), true);
        session.replay("02", frame("replay-02"), true);
        session.endReplay();

        assertThat(session.frames()).containsExactly("replay-01", "replay-02", "live-03", "live-04");
        session.deliver("05", frame("live-05"), true);
        assertThat(session.lastFrame()).isEqualTo("live-05");
    }

    @Test
    void a_live_message_the_replay_already_sent_is_not_sent_again() {
        session.beginReplay();
        session.deliver("02", frame("live-02"), true);

        session.replay("01", frame("replay-01"), true);
        session.replay("02", frame("replay-02"), true);
        session.endReplay();

        assertThat(session.frames()).containsExactly("replay-01", "replay-02");
        assertThat(delivered).containsExactly("01", "02");
    }

    @Test
    void a_message_is_replayed_at_most_once_per_replay() {
        session.beginReplay();

        assertThat(session.replay("01", frame("a"), false)).isTrue();
        assertThat(session.replay("01", frame("a"), false)).isFalse();
        session.endReplay();

        assertThat(session.frames()).containsExactly("a");
    }

    @Test
    void nested_replays_hold_live_messages_until_the_last_one_ends() {
        session.beginReplay();
        session.beginReplay();
        session.deliver("09", frame("live"), false);

        session.endReplay();
        assertThat(session.frames()).isEmpty();
        session.endReplay();

        assertThat(session.frames()).containsExactly("live");
    }

    @Test
    void a_held_tracked_message_is_reported_delivered_when_it_is_sent_not_when_it_is_held() {
        session.beginReplay();
        session.deliver("07", frame("live"), true);
        assertThat(delivered).isEmpty();

        session.endReplay();

        assertThat(delivered).containsExactly("07");
    }

    @Test
    void too_many_live_messages_held_during_one_replay_close_the_session_as_a_slow_consumer() {
        session.beginReplay();
        for (int i = 0; i < BaseSession.MAX_HELD; i++) {
            assertThat(session.deliver("id" + i, frame("x"), false)).isTrue();
        }

        assertThat(session.deliver("one-too-many", frame("x"), false)).isFalse();

        assertThat(session.closeReason()).isEqualTo(CloseReason.SLOW_CONSUMER);
    }

    /** Blocks inside {@link #send} for one chosen frame until released: the moment endReplay is flushing. */
    private static final class GatedSession extends BaseSession {
        final List<String> sent = new ArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final String gate;

        GatedSession(String gate) {
            super("gated", "127.0.0.1:1", Instant.EPOCH);
            this.gate = gate;
            bind("u", Protocol.HERALD);
        }

        @Override
        public boolean send(byte[] frame) {
            String text = new String(frame, StandardCharsets.UTF_8);
            if (text.equals(gate)) {
                entered.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            synchronized (sent) {
                sent.add(text);
            }
            return true;
        }

        @Override
        protected void closeTransport(CloseReason reason) { }
    }

    @Test
    void a_live_message_arriving_while_the_held_ones_are_being_flushed_waits_behind_them() throws Exception {
        GatedSession gated = new GatedSession("held-1");
        gated.beginReplay();
        gated.deliver("01", frame("held-1"), false);
        gated.deliver("02", frame("held-2"), false);
        CompletableFuture<Void> ending = CompletableFuture.runAsync(gated::endReplay, threads);
        assertThat(gated.entered.await(10, TimeUnit.SECONDS)).isTrue(); // endReplay is flushing "held-1"

        Thread[] publisher = new Thread[1];
        CompletableFuture<Void> live = CompletableFuture.runAsync(() -> {
            publisher[0] = Thread.currentThread();
            gated.deliver("03", frame("live-3"), false);
        }, threads);
        // the publisher either got through already or waits for the flush to finish
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> live.isDone()
                || publisher[0] != null && publisher[0].getState() == Thread.State.BLOCKED);
        gated.release.countDown();
        ending.get(10, TimeUnit.SECONDS);
        live.get(10, TimeUnit.SECONDS);

        assertThat(gated.sent).containsExactly("held-1", "held-2", "live-3");
    }
}
