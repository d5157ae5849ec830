package dev.herald.server.store;

import java.util.HashSet;
import java.util.Set;

/**
 * Which streams got new entries since the last maintenance pass, so the stream cap looks only at those
 * instead of counting every stream. After opening (streams may have grown before a restart), after a failed
 * pass, and when too many streams were touched to track, the next pass counts all streams instead. Used by
 * the writer thread only. Also keeps where the TTL's and the purge's walks stopped (see {@link StoreMaintenance}), in
 * memory: after a restart both start from the beginning, and the slice of a pass that failed waits for the next round.
 */
final class StreamTracker {
    /** Beyond this many touched streams one full count is cheaper than remembering them. */
    static final int MAX_TRACKED = 100_000;

    private final Set<String> touched = new HashSet<>();
    private boolean all = true;
    private String ttlCursor = "";
    private String purgeCursor = "";

    void touched(String stream) {
        if (all) {
            return;
        }
        touched.add(stream);
        if (touched.size() > MAX_TRACKED) {
            checkAll();
        }
    }

    /** The streams the cap must check, or {@code null} for all of them; starts a new round of tracking. */
    Set<String> takeStreamsToCheck() {
        if (all) {
            all = false;
            return null;
        }
        Set<String> streams = Set.copyOf(touched);
        touched.clear();
        return streams;
    }

    /** Forgets the touched streams and counts all next time (a pass failed, so its streams were not trimmed). */
    void checkAll() {
        all = true;
        touched.clear();
    }

    /** The last stream the TTL looked at; {@code ""} to start from the first. */
    String ttlCursor() {
        return ttlCursor;
    }

    void ttlCursor(String stream) {
        ttlCursor = stream;
    }

    /** The first message id the purge has not read yet in this round; {@code ""} to start from the oldest. */
    String purgeCursor() {
        return purgeCursor;
    }

    void purgeCursor(String id) {
        purgeCursor = id;
    }
}
