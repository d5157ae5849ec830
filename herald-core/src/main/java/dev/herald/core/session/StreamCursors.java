package dev.herald.core.session;

import dev.herald.core.message.Target;
import dev.herald.core.store.StreamPosition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one read rule of a connection, per stream it follows (its user's inbox, each topic, the broadcast log):
 * <b>a live message at or below the last position sent on that stream is dropped</b>.
 *
 * <p>That rule alone joins a replay to the live flow without gap, duplicate or reordering, because
 * <ul>
 *   <li>a replay reads its stream up to a <em>head</em> it names (the stream's last position when it read), so
 *       every message at or below the head reaches the connection through the replay (or was lost, and the
 *       replay says {@code gap}), and every message above it through the live flow;</li>
 *   <li>the connection is registered for live messages before the replay reads, so none above the head is missed;</li>
 *   <li>while a replay of a stream runs, that stream's live messages wait here ({@link #live}); when it ends
 *       ({@link #endReplay}) the cursor moves to the head (or the last replayed position, if higher), the waiting
 *       messages above it are sent in position order and the rest dropped;</li>
 *   <li>after that, a late live message at or below the cursor (committed before the replay read, fanned out after
 *       it ended) is dropped too;</li>
 *   <li>the store fans live messages out in commit order, i.e. in position order per stream, so a live message
 *       below the cursor is always one that was already sent.</li>
 * </ul>
 * A position of another epoch than the cursor's (the stream's history was reset) is sent, and the cursor moves
 * to it. Messages without a position in their stream (fire-and-forget, {@code persist:false}) are never replayed,
 * so nothing can duplicate them: they are sent at once, even while a replay of their stream runs.
 *
 * <p><b>Holes.</b> With several nodes the last point no longer holds: node A commits position 5 of a stream, node B
 * position 6, and 6 may arrive first; a broker outage may drop 5 altogether. So the rule has a second half: <b>a live
 * message above the position after the cursor (a hole before it) makes the connection fill the hole from the
 * store</b> instead of skipping it: the message waits, a replay of the stream from the cursor starts (through the
 * {@link HoleFiller}, exactly as a login replay: its messages go out, then the waiting ones above its head), and
 * every live message of the stream waits behind it. When the replay ends, the waiting messages are taken in
 * position order, so one that arrived early waits for the one it overtook, and a hole still left opens the next
 * fill. Holes are known only against a cursor whose position is known: one a replay or a sent message set (a
 * replay of a stream nobody wrote to yet sets it to 0). Without a filler (a connection that cannot replay) a
 * message above a hole is sent, as on one node.
 *
 * <p>Thread-safe: every method runs under this object's lock, and so do the sends it makes, so a live message
 * cannot overtake the waiting ones being flushed by {@link #endReplay} on another thread. One instance per
 * connection ({@link BaseSession}).
 */
public final class StreamCursors {
    /** Most live messages waiting behind replays before the connection counts as too slow. */
    public static final int MAX_HELD = 10_000;

    /** Where the frames go: the connection's queue (with a delivery report for tracked ones), or a close. */
    interface Sink {
        boolean send(byte[] frame, String messageId, boolean tracked);

        /** Too many live messages waited: the connection is too slow (it closes with 4008). */
        void overflow();
    }

    /**
     * Reads what a connection missed of one stream, after a hole showed: {@link #fill} starts a replay of
     * {@code stream} after {@code after} ({@code null}: from its beginning) that sends its messages with
     * {@link #replayed} and ends, always, with {@link #endReplay} (the stream's live messages wait until then).
     * Called under the cursors' lock: it must only start the read, never wait for it.
     */
    @FunctionalInterface
    public interface HoleFiller {
        void fill(Target stream, StreamPosition after);
    }

    private final Sink sink;
    /** Per stream the connection has sent a positioned message on or replayed. */
    private final Map<Target, Cursor> cursors = new HashMap<>(4);
    /** Live messages waiting behind a running replay of their stream, in arrival order (all streams together). */
    private List<Held> held;
    private long dropped;
    private long holes;
    private long holesClosedLive;
    private HoleFiller filler;

    StreamCursors(Sink sink) {
        this.sink = sink;
    }

    /** The last position sent on one stream, and how many replays of it run. */
    private static final class Cursor {
        long position;
        String epoch; // null: nothing sent yet (position 0 of an unknown epoch)
        int replays;
        /** Whether the position is known: a replay ended on it, or a message was sent at it (0 of a null epoch: the stream was empty). */
        boolean known;

        /** Whether {@code p} was sent already (at or below the cursor, same epoch). */
        boolean covers(StreamPosition p) {
            return epoch != null && epoch.equals(p.epoch()) && p.position() <= position;
        }

        /**
         * Whether messages the connection has not seen lie between the cursor and {@code p}: the cursor is known and
         * {@code p}, in its epoch (or the stream was empty), is beyond the next position.
         */
        boolean holeBefore(StreamPosition p) {
            return known && (epoch == null || epoch.equals(p.epoch())) && p.position() > position + 1;
        }

        /** Where a replay that fills a hole starts: after the cursor ({@code null}: the stream's beginning). */
        StreamPosition fillFrom() {
            return epoch == null ? null : new StreamPosition(position, epoch);
        }

        /** Moves up to {@code p}; a position of another epoch replaces the cursor (the stream was reset). */
        void advance(StreamPosition p) {
            if (p == null) {
                return;
            }
            if (!p.epoch().equals(epoch) || p.position() > position) {
                position = p.position();
                epoch = p.epoch();
            }
            known = true;
        }
    }

    private record Held(Target stream, StreamPosition position, String messageId, byte[] frame, boolean tracked) { }

    /**
     * A live message on {@code stream} at {@code position} ({@code null}: it has none there, it is sent at once).
     * Sent, dropped (already sent), or held while a replay of the stream runs. Returns {@code false} only when
     * the connection refused it (closed, or too slow).
     */
    public synchronized boolean live(Target stream, StreamPosition position, String messageId, byte[] frame, boolean tracked) {
        if (position == null) {
            return sink.send(frame, messageId, tracked);
        }
        Cursor cursor = cursors.get(stream);
        if (cursor == null) {
            cursor = new Cursor();
            cursors.put(stream, cursor);
        } else if (cursor.replays > 0) {
            if (held.size() >= MAX_HELD) {
                sink.overflow();
                return false;
            }
            held.add(new Held(stream, position, messageId, frame, tracked));
            return true;
        } else if (cursor.covers(position)) {
            dropped++;
            return true; // sent already (by a replay): as far as the publisher is concerned, the connection has it
        } else if (filler != null && cursor.holeBefore(position)) {
            // the message waits behind a replay of what lies before it (and so does the stream's next live message)
            holes++;
            cursor.replays++;
            if (held == null) {
                held = new ArrayList<>();
            }
            held.add(new Held(stream, position, messageId, frame, tracked));
            filler.fill(stream, cursor.fillFrom());
            return true;
        }
        cursor.advance(position);
        return sink.send(frame, messageId, tracked);
    }

    /**
     * A live message sent through another stream also sits at {@code position} in {@code stream} (a message to a user
     * and a topic the user follows reaches the connection once): when it is the stream's next position, the cursor
     * moves past it, so the stream's next message shows no hole and the message is not replayed again.
     */
    public synchronized void passed(Target stream, StreamPosition position) {
        Cursor cursor = cursors.get(stream);
        if (cursor == null || cursor.replays > 0 || !cursor.known) {
            return;
        }
        boolean next = cursor.epoch == null ? position.position() == 1
                : cursor.epoch.equals(position.epoch()) && position.position() == cursor.position + 1;
        if (next) {
            cursor.advance(position);
        }
    }

    /**
     * Ends a fill without reading the store when the live messages that waited since it began close the hole
     * themselves (the overtaken message arrived: the common case when two nodes publish to one stream at once): the
     * waiting messages of {@code stream} then run on from the position after the cursor with none missing, and go
     * out in position order. Returns {@code false}, changing nothing, while a position is still missing or when
     * nothing of the stream waits (a {@link #catchUp}); the filler then reads the store. Only for a filler's replay: one begun by {@link #live} or {@link #endReplay}.
     */
    public synchronized boolean closeHoleFromHeld(Target stream) {
        Cursor cursor = cursors.get(stream);
        if (cursor == null || cursor.replays != 1 || held == null) {
            return false;
        }
        List<Long> waiting = new ArrayList<>();
        for (Held h : held) {
            if (h.stream.equals(stream)) {
                if (cursor.epoch != null && !cursor.epoch.equals(h.position.epoch())) {
                    return false; // another epoch among them: let the store say what the stream holds
                }
                waiting.add(h.position.position());
            }
        }
        if (waiting.isEmpty()) {
            return false; // a catch-up: no live message shows where the stream stands, only the store can
        }
        waiting.sort(null);
        long next = cursor.position + 1;
        for (long p : waiting) {
            if (p > next) {
                return false;
            }
            next = Math.max(next, p + 1);
        }
        holesClosedLive++;
        endReplay(stream, null);
        return true;
    }

    /**
     * The connection may have missed live messages on every stream it follows (the broker was cut off from the other
     * nodes for a while): each stream whose cursor is known and that no replay is reading starts a fill from its cursor,
     * as for a hole, so what was published meanwhile arrives now rather than with the stream's next message (which may
     * never come). The stream's live messages wait behind the fill. Nothing happens without a filler. Returns the number
     * of fills started.
     */
    public synchronized int catchUp() {
        if (filler == null) {
            return 0;
        }
        int started = 0;
        List<Map.Entry<Target, Cursor>> streams = new ArrayList<>(cursors.size()); // a copy: fill may change the map
        cursors.forEach((stream, cursor) -> streams.add(Map.entry(stream, cursor))); // no entrySet view kept (see anyReplayRunning)
        for (Map.Entry<Target, Cursor> e : streams) {
            Cursor cursor = e.getValue();
            if (!cursor.known || cursor.replays > 0) {
                continue; // unknown: its login replay has not ended yet (and reads the store itself); running: reads it now
            }
            cursor.replays++;
            if (held == null) {
                held = new ArrayList<>();
            }
            started++;
            filler.fill(e.getKey(), cursor.fillFrom());
        }
        return started;
    }

    /** Holes closed by the live messages themselves, with no store read ({@link #closeHoleFromHeld}). */
    public synchronized long holesClosedLive() {
        return holesClosedLive;
    }

    /** Fills holes from now on (the connection can replay); without one, a message above a hole is sent. */
    public synchronized void fillHolesWith(HoleFiller filler) {
        this.filler = filler;
    }

    /**
     * Starts a replay of {@code stream}: from now its live messages wait. Call it before the connection is
     * registered for the stream's live messages (or, already registered, before the replay reads). Replays nest.
     */
    public synchronized void beginReplay(Target stream) {
        cursors.computeIfAbsent(stream, s -> new Cursor()).replays++;
        if (held == null) {
            held = new ArrayList<>();
        }
    }

    /** Sends one replayed message of {@code stream} now (ahead of the live ones waiting). */
    public synchronized boolean replayed(Target stream, StreamPosition position, String messageId, byte[] frame, boolean tracked) {
        Cursor cursor = cursors.get(stream);
        if (cursor != null && position != null) {
            cursor.advance(position);
        }
        return sink.send(frame, messageId, tracked);
    }

    /**
     * Ends one replay of {@code stream}, which read it up to {@code head} ({@code null}: the stream had no
     * position yet, or the replay failed). After the last one of the stream, the cursor is at least the head; the
     * live messages that waited are sent when above it, in order, and dropped otherwise.
     */
    public synchronized void endReplay(Target stream, StreamPosition head) {
        Cursor cursor = cursors.get(stream);
        if (cursor == null || cursor.replays == 0) {
            return;
        }
        cursor.advance(head);
        if (cursor.epoch == null) {
            cursor.known = true; // the replay found the stream empty: the next position is 1
        }
        if (--cursor.replays > 0) {
            return;
        }
        // this stream's waiting messages in position order (messages from several nodes may have arrived out of it)
        List<Held> mine = new ArrayList<>();
        List<Held> still = new ArrayList<>();
        for (Held h : held) {
            (h.stream.equals(stream) ? mine : still).add(h);
        }
        mine.sort(java.util.Comparator.comparingLong(h -> h.position.position()));
        for (int i = 0; i < mine.size(); i++) {
            Held h = mine.get(i);
            if (cursor.covers(h.position)) {
                dropped++;
            } else if (filler != null && cursor.holeBefore(h.position)) {
                // still a hole below it (its message is on its way from another node, or was lost): fill it
                holes++;
                cursor.replays++;
                still.addAll(mine.subList(i, mine.size()));
                held = still;
                filler.fill(stream, cursor.fillFrom());
                return;
            } else {
                cursor.advance(h.position);
                sink.send(h.frame, h.messageId, h.tracked);
            }
        }
        held = still.isEmpty() && !anyReplayRunning() ? null : still;
    }

    /**
     * Walks the cursors with {@code forEach}: {@code values()} and {@code entrySet()} make a view that a {@code HashMap}
     * keeps for its life, 16 B more per connection (this runs at the end of every login replay).
     */
    private boolean anyReplayRunning() {
        boolean[] running = {false};
        cursors.forEach((stream, cursor) -> running[0] |= cursor.replays > 0);
        return running[0];
    }

    /** The connection stopped following {@code stream} (a topic it unsubscribed): its cursor goes, unless a replay of it runs. */
    public synchronized void forget(Target stream) {
        Cursor cursor = cursors.get(stream);
        if (cursor != null && cursor.replays == 0) {
            cursors.remove(stream);
        }
    }

    /** The last position sent on {@code stream}, or {@code null} when none was (for tests and diagnostics). */
    public synchronized StreamPosition lastSent(Target stream) {
        Cursor cursor = cursors.get(stream);
        return cursor == null || cursor.epoch == null ? null : new StreamPosition(cursor.position, cursor.epoch);
    }

    /** Holes found before live messages, each filled by a replay (for tests and diagnostics). */
    public synchronized long holes() {
        return holes;
    }

    /** Live messages dropped because the connection had them already (for tests and diagnostics). */
    public synchronized long dropped() {
        return dropped;
    }

    /** Whether a replay of {@code stream} runs. */
    public synchronized boolean replaying(Target stream) {
        Cursor cursor = cursors.get(stream);
        return cursor != null && cursor.replays > 0;
    }
}
