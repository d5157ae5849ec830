package dev.herald.client;

import java.util.Iterator;
import java.util.LinkedHashSet;

/** The last {@code limit} message ids seen, to drop the few repeats around a reconnect. Not thread-safe. */
final class RecentIds {
    private final int limit;
    private final LinkedHashSet<String> ids = new LinkedHashSet<>();

    RecentIds(int limit) {
        this.limit = Math.max(1, limit);
    }

    /** Records the id; false when it was already there (a duplicate). */
    boolean add(String id) {
        if (!ids.add(id)) {
            return false;
        }
        if (ids.size() > limit) {
            Iterator<String> oldest = ids.iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }
}
