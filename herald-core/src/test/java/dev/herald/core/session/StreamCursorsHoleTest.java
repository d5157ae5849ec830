package dev.herald.core.session;

import dev.herald.core.message.Target;
import dev.herald.core.store.StreamPosition;
import dev.herald.core.testing.FakeSession;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The second half of the read rule ({@link StreamCursors}): a live message above the position after the cursor
 * (a hole: positions from several nodes out of order, or a message the broker lost) waits for a replay of the
 * hole instead of being sent over it. The replays are played by hand here, so every interleaving is exact.
 */
class StreamCursorsHoleTest {
    private static final Target INBOX = new Target.User("u");
    private static final Target NEWS = new Target.Topic("news");
    private static final String EPOCH = "e1";

    private final FakeSession session = FakeSession.herald("u");
    private final StreamCursors cursors = session.cursors();
    /** The fills the cursors asked for: stream and where from ({@code null}: the beginning). */
    private final List<String> fills = new ArrayList<>();

    StreamCursorsHoleTest() {
        cursors.fillHolesWith((stream, after) -> fills.add(stream + " after " + after));
    }

    private static StreamPosition at(long position) {
        return new StreamPosition(position, EPOCH);
    }

    private boolean live(Target stream, long position) {
        return session.deliver(stream, at(position), "id" + position, frame(stream, position), true);
    }

    private void replayed(Target stream, long position) {
        cursors.replayed(stream, at(position), "id" + position, frame(stream, position), true);
    }

    private static byte[] frame(Target stream, long position) {
        return ((stream == INBOX ? "inbox-" : "news-") + position).getBytes(StandardCharsets.UTF_8);
    }

    /** The connection stands at {@code position} of {@code stream}, as after its login replay. */
    private void standAt(Target stream, long position) {
        cursors.beginReplay(stream);
        cursors.endReplay(stream, at(position));
    }

    @Test
    void a_message_that_overtook_another_waits_for_the_replay_of_the_hole_and_is_sent_once() {
        standAt(INBOX, 4);

        assertThat(live(INBOX, 6)).isTrue(); // node B's 6 arrives before node A's 5
        assertThat(session.frames()).isEmpty();
        assertThat(fills).containsExactly(INBOX + " after 4@e1");
        assertThat(cursors.replaying(INBOX)).isTrue();

        live(INBOX, 5); // node A's 5, while the fill runs: it waits too
        replayed(INBOX, 5); // the fill read 5 and 6 from the store
        replayed(INBOX, 6);
        cursors.endReplay(INBOX, at(6));

        assertThat(session.frames()).containsExactly("inbox-5", "inbox-6");
        assertThat(cursors.lastSent(INBOX)).isEqualTo(at(6));
        assertThat(cursors.holes()).isEqualTo(1);
        live(INBOX, 7);
        assertThat(session.lastFrame()).isEqualTo("inbox-7");
    }

    @Test
    void a_hole_the_overtaken_message_closes_while_the_fill_waits_needs_no_store_read() {
        standAt(INBOX, 4);
        live(INBOX, 6);
        live(INBOX, 7);
        live(INBOX, 5); // arrived within the grace

        assertThat(cursors.closeHoleFromHeld(INBOX)).isTrue();
        assertThat(session.frames()).containsExactly("inbox-5", "inbox-6", "inbox-7");
        assertThat(cursors.replaying(INBOX)).isFalse();
        assertThat(cursors.holesClosedLive()).isEqualTo(1);
        live(INBOX, 8);
        assertThat(session.lastFrame()).isEqualTo("inbox-8");
    }

    @Test
    void a_hole_still_open_after_the_grace_is_left_to_the_store_read() {
        standAt(INBOX, 4);
        live(INBOX, 6);
        live(INBOX, 8);
        live(INBOX, 5); // 7 is still missing

        assertThat(cursors.closeHoleFromHeld(INBOX)).isFalse();
        assertThat(session.frames()).isEmpty();
        assertThat(cursors.replaying(INBOX)).isTrue();
        replayed(INBOX, 5);
        replayed(INBOX, 6);
        replayed(INBOX, 7);
        cursors.endReplay(INBOX, at(7));
        assertThat(session.frames()).containsExactly("inbox-5", "inbox-6", "inbox-7", "inbox-8");
    }

    @Test
    void a_message_the_broker_lost_is_sent_from_the_store_before_the_one_after_it() {
        standAt(INBOX, 4);
        live(INBOX, 6); // 5 never arrives live

        replayed(INBOX, 5);
        cursors.endReplay(INBOX, at(5)); // the fill read up to 5: 6 was not yet visible to it

        assertThat(session.frames()).containsExactly("inbox-5", "inbox-6");
        assertThat(fills).hasSize(1);
    }

    @Test
    void messages_waiting_behind_a_fill_go_out_in_position_order_whatever_order_they_arrived_in() {
        standAt(INBOX, 4);
        live(INBOX, 6);
        live(INBOX, 8);
        live(INBOX, 7);

        replayed(INBOX, 5);
        replayed(INBOX, 6);
        cursors.endReplay(INBOX, at(6));

        assertThat(session.frames()).containsExactly("inbox-5", "inbox-6", "inbox-7", "inbox-8");
        assertThat(fills).hasSize(1);
    }

    @Test
    void a_hole_left_after_a_fill_opens_the_next_fill_and_holds_what_is_above_it() {
        standAt(INBOX, 4);
        live(INBOX, 6);
        live(INBOX, 8);
        replayed(INBOX, 5);
        replayed(INBOX, 6);
        cursors.endReplay(INBOX, at(6)); // 7 was not visible yet, and 8 came live

        assertThat(session.frames()).containsExactly("inbox-5", "inbox-6");
        assertThat(fills).containsExactly(INBOX + " after 4@e1", INBOX + " after 6@e1");
        assertThat(cursors.replaying(INBOX)).isTrue();

        replayed(INBOX, 7);
        replayed(INBOX, 8);
        cursors.endReplay(INBOX, at(8));
        assertThat(session.frames()).containsExactly("inbox-5", "inbox-6", "inbox-7", "inbox-8");
        assertThat(cursors.replaying(INBOX)).isFalse();
        assertThat(cursors.dropped()).isEqualTo(2); // the live 6 and 8, each sent by a fill
    }

    @Test
    void a_stream_the_login_found_empty_is_filled_from_its_beginning() {
        cursors.beginReplay(NEWS);
        cursors.endReplay(NEWS, null); // nobody wrote to it yet: the connection stands at 0

        live(NEWS, 2);
        assertThat(fills).containsExactly(NEWS + " after null");
        replayed(NEWS, 1);
        cursors.endReplay(NEWS, at(1));
        assertThat(session.frames()).containsExactly("news-1", "news-2");
    }

    @Test
    void the_next_position_is_sent_at_once_and_an_older_one_is_dropped_without_a_fill() {
        standAt(INBOX, 4);
        live(INBOX, 5);
        live(INBOX, 3);
        assertThat(session.frames()).containsExactly("inbox-5");
        assertThat(fills).isEmpty();
    }

    @Test
    void a_hole_in_one_stream_holds_only_that_stream() {
        standAt(INBOX, 4);
        standAt(NEWS, 10);
        live(INBOX, 6);
        live(NEWS, 11);
        assertThat(session.frames()).containsExactly("news-11");
    }

    @Test
    void a_position_of_another_epoch_is_no_hole() {
        standAt(INBOX, 4);
        session.deliver(INBOX, new StreamPosition(9, "e2"), "reset", "reset-9".getBytes(StandardCharsets.UTF_8), true);
        assertThat(session.frames()).containsExactly("reset-9");
        assertThat(fills).isEmpty();
    }

    @Test
    void a_message_sent_through_another_stream_moves_this_streams_cursor_so_no_hole_shows() {
        standAt(INBOX, 4);
        standAt(NEWS, 10);
        live(INBOX, 5); // a message to the user and to news, sent once through the inbox; it is news 11 as well
        cursors.passed(NEWS, at(11));
        live(NEWS, 12);
        assertThat(fills).isEmpty();
        assertThat(session.frames()).containsExactly("inbox-5", "news-12");
    }

    @Test
    void without_a_filler_a_message_above_a_hole_is_sent_as_on_one_node() {
        FakeSession plain = FakeSession.herald("v");
        plain.cursors().beginReplay(INBOX);
        plain.cursors().endReplay(INBOX, at(4));
        plain.deliver(INBOX, at(6), "id6", "inbox-6".getBytes(StandardCharsets.UTF_8), true);
        assertThat(plain.frames()).containsExactly("inbox-6");
        assertThat(plain.cursors().holes()).isZero();
    }
    @Test
    void a_catch_up_reads_every_followed_stream_from_its_cursor_and_holds_live_messages_behind_it() {
        standAt(INBOX, 4);
        standAt(NEWS, 2);
        cursors.beginReplay(Target.Everyone.INSTANCE); // a login replay still running: it reads the store itself

        assertThat(cursors.catchUp()).isEqualTo(2);
        assertThat(fills).containsExactlyInAnyOrder(INBOX + " after 4@e1", NEWS + " after 2@e1");
        assertThat(cursors.closeHoleFromHeld(INBOX)).isFalse(); // nothing live shows where the stream stands: the store must

        live(INBOX, 7); // arrives while the catch-up reads: waits behind it
        assertThat(session.frames()).isEmpty();
        replayed(INBOX, 5);
        replayed(INBOX, 6);
        cursors.endReplay(INBOX, at(6));
        assertThat(session.frames()).containsExactly("inbox-5", "inbox-6", "inbox-7");

        cursors.endReplay(NEWS, at(2)); // nothing was missed there
        assertThat(cursors.lastSent(NEWS)).isEqualTo(at(2));
        assertThat(cursors.replaying(NEWS)).isFalse();
    }

    @Test
    void a_catch_up_does_nothing_for_a_connection_that_cannot_replay() {
        FakeSession plain = FakeSession.herald("v");
        plain.cursors().beginReplay(INBOX);
        plain.cursors().endReplay(INBOX, at(3));
        assertThat(plain.cursors().catchUp()).isZero();
        assertThat(plain.cursors().replaying(INBOX)).isFalse();
    }
}
