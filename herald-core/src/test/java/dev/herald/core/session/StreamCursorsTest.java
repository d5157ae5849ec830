package dev.herald.core.session;

import dev.herald.core.message.Target;
import dev.herald.core.store.StreamPosition;
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

/**
 * The read rule of one connection ({@link StreamCursors}): per stream, a live message at or below the last position
 * sent is dropped; live messages wait while a replay of their stream runs, and the replay's head decides which of
 * them are sent. Order, de-duplication, late fan-outs, epochs, nesting, delivery reports, limits.
 */
class StreamCursorsTest {
    private static final Target INBOX = new Target.User("u");
    private static final Target NEWS = new Target.Topic("news");
    private static final String EPOCH = "e1";

    private final FakeSession session = FakeSession.herald("u");
    private final StreamCursors cursors = session.cursors();
    private final List<String> delivered = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    StreamCursorsTest() {
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

    private static StreamPosition at(long position) {
        return new StreamPosition(position, EPOCH);
    }

    private boolean live(Target stream, long position, String text) {
        return session.deliver(stream, at(position), "id" + position, frame(text), true);
    }

    private void replayed(Target stream, long position, String text) {
        cursors.replayed(stream, at(position), "id" + position, frame(text), true);
    }

    @Test
    void live_messages_arriving_during_a_replay_are_sent_after_the_replayed_ones() {
        cursors.beginReplay(INBOX);
        live(INBOX, 3, "live-3");
        live(INBOX, 4, "live-4");
        assertThat(session.frames()).isEmpty();

        replayed(INBOX, 1, "replay-1");
        replayed(INBOX, 2, "replay-2");
        cursors.endReplay(INBOX, at(2));

        assertThat(session.frames()).containsExactly("replay-1", "replay-2", "live-3", "live-4");
        live(INBOX, 5, "live-5");
        assertThat(session.lastFrame()).isEqualTo("live-5");
        assertThat(cursors.lastSent(INBOX)).isEqualTo(at(5));
    }

    @Test
    void a_live_message_at_or_below_the_replays_head_is_not_sent_again() {
        cursors.beginReplay(INBOX);
        live(INBOX, 2, "live-2");

        replayed(INBOX, 1, "replay-1");
        replayed(INBOX, 2, "replay-2");
        cursors.endReplay(INBOX, at(2));

        assertThat(session.frames()).containsExactly("replay-1", "replay-2");
        assertThat(delivered).containsExactly("id1", "id2");
        assertThat(cursors.dropped()).isEqualTo(1);
    }

    /** The duplicate the old {@code committingSeq} guarded against: read by the replay, fanned out after it ended. */
    @Test
    void a_message_the_replay_read_whose_fan_out_comes_after_the_replay_ended_is_dropped() {
        cursors.beginReplay(INBOX);
        replayed(INBOX, 1, "replay-1");
        cursors.endReplay(INBOX, at(1));

        assertThat(live(INBOX, 1, "late-1")).isTrue();
        live(INBOX, 2, "live-2");

        assertThat(session.frames()).containsExactly("replay-1", "live-2");
    }

    /** A pending replay (no cursor) skips acked messages: everything up to the head still belongs to it, not to the live flow. */
    @Test
    void the_head_not_the_last_replayed_message_decides_what_the_replay_covered() {
        cursors.beginReplay(INBOX);
        live(INBOX, 4, "live-4");
        live(INBOX, 6, "live-6");
        replayed(INBOX, 2, "replay-2");
        cursors.endReplay(INBOX, at(5));

        live(INBOX, 5, "late-5");
        live(INBOX, 7, "live-7");

        assertThat(session.frames()).containsExactly("replay-2", "live-6", "live-7");
    }

    @Test
    void a_replay_of_an_empty_stream_lets_every_live_message_of_it_through() {
        cursors.beginReplay(INBOX);
        live(INBOX, 1, "live-1");
        cursors.endReplay(INBOX, null);

        assertThat(session.frames()).containsExactly("live-1");
    }

    @Test
    void a_replay_holds_only_its_own_streams_live_messages() {
        cursors.beginReplay(INBOX);
        live(NEWS, 7, "news-7");
        live(INBOX, 3, "inbox-3");

        assertThat(session.frames()).containsExactly("news-7");
        cursors.endReplay(INBOX, at(2));
        assertThat(session.frames()).containsExactly("news-7", "inbox-3");
    }

    @Test
    void messages_without_a_position_are_never_held_nor_dropped() {
        cursors.beginReplay(INBOX);
        session.deliver(INBOX, null, "t1", frame("transient"), false);
        assertThat(session.frames()).containsExactly("transient");

        cursors.endReplay(INBOX, at(9));
        session.deliver(INBOX, null, "t2", frame("transient-again"), false);
        assertThat(session.frames()).containsExactly("transient", "transient-again");
    }

    @Test
    void a_position_of_another_epoch_is_sent_and_moves_the_cursor_to_that_epoch() {
        live(INBOX, 5, "live-5");

        session.deliver(INBOX, new StreamPosition(1, "e2"), "new-1", frame("reset-1"), false);
        session.deliver(INBOX, new StreamPosition(1, "e2"), "new-1", frame("reset-1-again"), false);

        assertThat(session.frames()).containsExactly("live-5", "reset-1");
        assertThat(cursors.lastSent(INBOX)).isEqualTo(new StreamPosition(1, "e2"));
    }

    @Test
    void nested_replays_of_a_stream_hold_its_live_messages_until_the_last_one_ends() {
        cursors.beginReplay(NEWS);
        cursors.beginReplay(NEWS);
        live(NEWS, 9, "live-9");

        cursors.endReplay(NEWS, at(3));
        assertThat(session.frames()).isEmpty();
        cursors.endReplay(NEWS, at(8));

        assertThat(session.frames()).containsExactly("live-9");
        assertThat(cursors.lastSent(NEWS)).isEqualTo(at(9));
    }

    @Test
    void a_held_tracked_message_is_reported_delivered_when_it_is_sent_not_when_it_is_held() {
        cursors.beginReplay(INBOX);
        live(INBOX, 7, "live-7");
        assertThat(delivered).isEmpty();

        cursors.endReplay(INBOX, null);

        assertThat(delivered).containsExactly("id7");
    }

    @Test
    void too_many_live_messages_held_during_replays_close_the_session_as_a_slow_consumer() {
        cursors.beginReplay(INBOX);
        for (int i = 1; i <= StreamCursors.MAX_HELD; i++) {
            assertThat(live(INBOX, i, "x")).isTrue();
        }

        assertThat(live(INBOX, StreamCursors.MAX_HELD + 1, "one-too-many")).isFalse();

        assertThat(session.closeReason()).isEqualTo(CloseReason.SLOW_CONSUMER);
    }

    @Test
    void an_unsubscribed_topic_forgets_its_cursor() {
        live(NEWS, 4, "news-4");
        cursors.forget(NEWS);

        assertThat(cursors.lastSent(NEWS)).isNull();
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
        gated.cursors().beginReplay(INBOX);
        gated.deliver(INBOX, at(1), "01", frame("held-1"), false);
        gated.deliver(INBOX, at(2), "02", frame("held-2"), false);
        CompletableFuture<Void> ending = CompletableFuture.runAsync(() -> gated.cursors().endReplay(INBOX, null), threads);
        assertThat(gated.entered.await(10, TimeUnit.SECONDS)).isTrue(); // endReplay is flushing "held-1"

        Thread[] publisher = new Thread[1];
        CompletableFuture<Void> live = CompletableFuture.runAsync(() -> {
            publisher[0] = Thread.currentThread();
            gated.deliver(INBOX, at(3), "03", frame("live-3"), false);
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
