package dev.herald.server.cluster;

import io.vertx.core.json.JsonObject;

import java.util.concurrent.CompletableFuture;

/**
 * What an operator sees of the connections, for {@code GET /api/v1/users/{uid}}, {@code GET /api/v1/stats} and
 * {@code DELETE /api/v1/users/{uid}/connections}: this node's alone ({@link LocalClusterViews}, broker = memory), or
 * every live node's ({@link RedisClusterViews}). Answers are JSON because they are the HTTP answers, whole; each
 * future completes on some thread, never with a failure for a Redis outage (the answer then covers this node and
 * says {@code "partial":true}). Thread-safe.
 */
public interface ClusterViews extends AutoCloseable {
    /** {@code {"user","online","connections":[{"id","node",…}]}}. Throws the catalog's error for a bad user id. */
    CompletableFuture<JsonObject> presence(String userId);

    /** {@code thisNode} (this node's counters, as a single node answers) plus {@code nodes:[…]} and {@code total}. */
    CompletableFuture<JsonObject> stats(JsonObject thisNode);

    /** Closes the user's connections (or only {@code connectionId}) on every node; answers how many it reached. */
    CompletableFuture<Integer> kick(String userId, String connectionId);

    @Override
    void close();
}
