package dev.herald.server.cluster;

import dev.herald.core.NodeConnections;
import dev.herald.core.PushCenter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The views of a single node (broker = memory): its hub is the whole truth, every answer is immediate. */
public final class LocalClusterViews implements ClusterViews {
    private final PushCenter center;
    private final String nodeId;

    public LocalClusterViews(PushCenter center, String nodeId) {
        this.center = center;
        this.nodeId = nodeId;
    }

    @Override
    public CompletableFuture<JsonObject> presence(String userId) {
        return CompletableFuture.completedFuture(render(center.presence(userId), nodeId, List.of()));
    }

    @Override
    public CompletableFuture<JsonObject> stats(JsonObject thisNode) {
        return CompletableFuture.completedFuture(StatsJson.withNodes(thisNode, List.of(thisNode)));
    }

    @Override
    public CompletableFuture<Integer> kick(String userId, String connectionId) {
        return CompletableFuture.completedFuture(center.kick(userId, connectionId));
    }

    @Override
    public void close() { }

    /** This node's connections (each with {@code node}), then {@code others} (other nodes' entries, already JSON). */
    static JsonObject render(NodeConnections.Presence local, String nodeId, List<JsonObject> others) {
        JsonArray connections = new JsonArray();
        for (NodeConnections.ConnectionInfo c : local.connections()) {
            connections.add(connection(c, nodeId));
        }
        others.forEach(connections::add);
        return new JsonObject().put("user", local.userId()).put("online", !connections.isEmpty()).put("connections", connections);
    }

    static JsonObject connection(NodeConnections.ConnectionInfo c, String nodeId) {
        return new JsonObject().put("id", c.id()).put("node", nodeId).put("remoteAddress", c.remoteAddress())
                .put("protocol", c.protocol()).put("transport", c.transport()).put("connectedAt", c.connectedAt().toString())
                .put("topics", new JsonArray(c.topics()));
    }
}
