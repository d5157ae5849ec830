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
 * that were never acknowledged (a publish whose answer was lost). Not thread-safe: confined to the generator's event
 * loop.
 */
public final class LedgerBook {
    private final Map<String, List<String>> acked = new LinkedHashMap<>();
    private final Map<String, Set<String>> received = new HashMap<>();
    private final Map<String, String> greatest = new HashMap<>();
    private long duplicates;
    private long outOfOrder;
    private long receipts;

    public void acknowledged(String user, String id) {
        acked.computeIfAbsent(user, u -> new ArrayList<>()).add(id);
    }

    public void received(String user, String id) {
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

    /** The acknowledged id just before {@code id} for this user (the {@code since} that asks for {@code id} again), or null. */
    public String acknowledgedBefore(String user, String id) {
        List<String> ids = acked.getOrDefault(user, List.of());
        int i = ids.indexOf(id);
        return i > 0 ? ids.get(i - 1) : null;
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
