package dev.herald.server.cluster;

import dev.herald.core.NodeConnections;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** The JSON of one node's counters in {@code GET /api/v1/stats}, and the cluster's sum of them. */
public final class StatsJson {
    /** The counters that add up across nodes; {@code usersOnline} sums per node (a user on two nodes counts twice). */
    static final List<String> SUMMED = List.of("connections", "usersOnline", "topics", "messagesIn", "messagesOut",
            "dropped", "slowConsumerCloses", "connectionsRejected");

    private StatsJson() { }

    public static JsonObject of(NodeConnections.Stats s, String transport) {
        return new JsonObject()
                .put("node", s.nodeId()).put("version", s.version()).put("uptimeSeconds", s.uptime().toSeconds())
                .put("connections", s.connections()).put("usersOnline", s.usersOnline()).put("topics", s.topics())
                .put("messagesIn", s.messagesIn()).put("messagesOut", s.messagesOut()).put("dropped", s.dropped())
                .put("slowConsumerCloses", s.slowConsumerCloses()).put("connectionsRejected", s.connectionsRejected())
                .put("transport", transport)
                .put("connectionsByTransport", byTransport(s.connectionsByTransport()));
    }

    /** Every client transport with its count, 0 included, so a reader need not know which keys may be absent. */
    private static JsonObject byTransport(java.util.Map<String, Integer> counts) {
        JsonObject out = new JsonObject();
        for (String t : TRANSPORTS) {
            out.put(t, counts.getOrDefault(t, 0));
        }
        counts.forEach((t, n) -> {
            if (!out.containsKey(t)) {
                out.put(t, n);
            }
        });
        return out;
    }

    /** The client transports, as {@code Session.transport} names them. */
    static final List<String> TRANSPORTS = List.of("websocket", "sse");

    /** {@code thisNode} with {@code nodes} (every node's counters, this one first) and {@code total} added. */
    static JsonObject withNodes(JsonObject thisNode, List<JsonObject> nodes) {
        JsonObject total = new JsonObject().put("nodes", nodes.size());
        for (String key : SUMMED) {
            long sum = 0;
            for (JsonObject n : nodes) {
                Number v = n.getNumber(key);
                sum += v == null ? 0 : v.longValue();
            }
            total.put(key, sum);
        }
        JsonObject transports = new JsonObject();
        for (JsonObject n : nodes) {
            JsonObject counts = n.getJsonObject("connectionsByTransport");
            if (counts != null) {
                counts.forEach(e -> transports.put(e.getKey(), transports.getLong(e.getKey(), 0L) + ((Number) e.getValue()).longValue()));
            }
        }
        total.put("connectionsByTransport", transports);
        return thisNode.copy().put("nodes", new JsonArray(List.copyOf(nodes))).put("total", total);
    }
}
