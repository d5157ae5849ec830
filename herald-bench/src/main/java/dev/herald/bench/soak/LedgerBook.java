package dev.herald.bench.soak;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The soak's ledger: for each ledger user, the ids of the durable publishes the API acknowledged (200 or 202 with an
 * id), in publish order, and the ids its connections received. Each ledger user has at most one publish in flight, so
 * acknowledgement order is publish order, and ids (ULIDs, increasing per node) must arrive in increasing order.
 *
 * <p>At the end, {@link #missing} lists what was acknowledged and never received; {@link #duplicates} counts ids
 * received more than once, {@link #outOfOrder} ids received after a greater one, {@link #unacknowledged} ids received
 * that were never acknowledged (a publish whose answer was lost). {@link #gap} records the {@code gap} frames, so that
 * {@link #classify} can tell a message lost where Herald said so (dropped by the inbox cap or the TTL while the user
 * was away: documented) from one lost silently (a defect). Not thread-safe: confined to the generator's event loop.
 */
public final class LedgerBook {
    private final Map<String, List<String>> acked = new LinkedHashMap<>();
    private final Map<String, Set<String>> received = new HashMap<>();
    private final Map<String, String> greatest = new HashMap<>();
    /** Per user, the id ranges a {@code gap} frame reported lost: (since, first id received after it), exclusive. */
    private final Map<String, List<String[]>> gaps = new HashMap<>();
    /** Per user, the {@code since} of a gap frame whose range is still open (no message received after it yet). */
    private final Map<String, String> openGap = new HashMap<>();
    private long duplicates;
    private long outOfOrder;
    private long receipts;

    public void acknowledged(String user, String id) {
        acked.computeIfAbsent(user, u -> new ArrayList<>()).add(id);
    }

    /**
     * A {@code gap} frame came to a login of {@code user} with {@code since}: messages after {@code since} were lost
     * before the replay that follows. The range ends at the next id received (the replay's first); until one is, it is
     * open-ended.
     */
    public void gap(String user, String since) {
        openGap.put(user, since == null ? "" : since);
    }

    public void received(String user, String id) {
        String gapSince = openGap.remove(user);
        if (gapSince != null) {
            gaps.computeIfAbsent(user, u -> new ArrayList<>()).add(new String[] {gapSince, id});
        }
        receipts++;
        if (!received.computeIfAbsent(user, u -> new HashSet<>()).add(id)) {
            duplicates++;
            return;
        }
        String last = greatest.get(user);
        if (last != null && id.compareTo(last) < 0) {
            outOfOrder++;
        } else {
            greatest.put(user, id);
        }
    }

    /** The greatest id the user's connections received: the {@code since} of its next login (null: none yet). */
    public String since(String user) {
        return greatest.get(user);
    }

    /** Per user, the acknowledged ids never received, in publish order (users with none are left out). */
    public Map<String, List<String>> missing() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        acked.forEach((user, ids) -> {
            Set<String> got = received.getOrDefault(user, Set.of());
            List<String> miss = ids.stream().filter(id -> !got.contains(id)).toList();
            if (!miss.isEmpty()) {
                out.put(user, miss);
            }
        });
        return out;
    }

    /** What became of the acknowledged messages never received: see {@link #classify}. */
    public record Missing(long replayable, long lostToGap, long lostSilently, long unchecked) {
        public long lost() {
            return lostToGap + lostSilently;
        }
    }

    /**
     * Sorts the {@link #missing} ids, given what the pull API still holds: per user, the ids it returned ({@code stored});
     * a user absent from {@code stored} could not be read (its ids are <em>unchecked</em>, neither found nor lost). An
     * id the pull API returns is <em>replayable</em> (late, not lost); one inside a range a {@code gap} frame reported
     * is <em>lost to a reported gap</em>; any other is <em>lost silently</em>.
     */
    public Missing classify(Map<String, Set<String>> stored) {
        long replayable = 0;
        long toGap = 0;
        long silently = 0;
        long unchecked = 0;
        for (Map.Entry<String, List<String>> e : missing().entrySet()) {
            Set<String> held = stored.get(e.getKey());
            for (String id : e.getValue()) {
                if (held == null) {
                    unchecked++;
                } else if (held.contains(id)) {
                    replayable++;
                } else if (inReportedGap(e.getKey(), id)) {
                    toGap++;
                } else {
                    silently++;
                }
            }
        }
        return new Missing(replayable, toGap, silently, unchecked);
    }

    private boolean inReportedGap(String user, String id) {
        for (String[] range : gaps.getOrDefault(user, List.of())) {
            if (id.compareTo(range[0]) > 0 && id.compareTo(range[1]) < 0) {
                return true;
            }
        }
        String open = openGap.get(user);
        return open != null && id.compareTo(open) > 0;
    }

    /** The millisecond a message id (a ULID: 10 Crockford base-32 characters of Unix milliseconds first) was made, or -1. */
    public static long idMillis(String id) {
        String digits = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        long ms = 0;
        for (int k = 0; k < Math.min(10, id.length()); k++) {
            int d = digits.indexOf(Character.toUpperCase(id.charAt(k)));
            if (d < 0) {
                return -1;
            }
            ms = ms * 32 + d;
        }
        return id.length() < 10 ? -1 : ms;
    }

    public long acknowledgedCount() {
        return acked.values().stream().mapToLong(List::size).sum();
    }

    public long receipts() {
        return receipts;
    }

    public long duplicates() {
        return duplicates;
    }

    public long outOfOrder() {
        return outOfOrder;
    }

    public long unacknowledged() {
        long n = 0;
        for (Map.Entry<String, Set<String>> e : received.entrySet()) {
            Set<String> acks = new HashSet<>(acked.getOrDefault(e.getKey(), List.of()));
            n += e.getValue().stream().filter(id -> !acks.contains(id)).count();
        }
        return n;
    }
}
