package dev.herald.core;

import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import dev.herald.core.session.Session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * This node's connections as an operator sees them: who is connected ({@link #presence}), closing them
 * ({@link #kick}) and the node's counters ({@link #stats}). Reads the {@link Hub} only; publishing is
 * {@link PublishPath}'s. Thread-safe: every answer is a snapshot of the hub at the time of the call.
 */
public final class NodeConnections {
    private final Hub hub;
    private final HubStats stats;
    private final Clock clock;
    private final String nodeId;
    private final String version;
    private final Instant startedAt;

    NodeConnections(Hub hub, HubStats stats, Clock clock, String nodeId, String version) {
        this.hub = hub;
        this.stats = stats;
        this.clock = clock;
        this.nodeId = nodeId;
        this.version = version;
        this.startedAt = clock.instant();
    }

    /** A connection as presence shows it. */
    public record ConnectionInfo(String id, String remoteAddress, String protocol, String transport, Instant connectedAt, List<String> topics) { }

    public record Presence(String userId, boolean online, List<ConnectionInfo> connections) { }

    /** The user's connections on this node ({@code online} when there is one). */
    public Presence presence(String userId) {
        PublishPath.requireValidUser(userId, "uid");
        List<ConnectionInfo> connections = new ArrayList<>();
        for (Session s : hub.sessions(userId)) {
            List<String> topics = s instanceof BaseSession b ? List.copyOf(b.topicsView()) : List.of();
            connections.add(new ConnectionInfo(s.id(), s.remoteAddress(), s.protocol().wireName(), s.transport(), s.connectedAt(), topics));
        }
        return new Presence(userId, !connections.isEmpty(), connections);
    }

    /**
     * Disconnects the user's connections (or only {@code connectionId}, when given) with
     * {@link CloseReason#KICKED}. Returns how many were closed.
     */
    public int kick(String userId, String connectionId) {
        PublishPath.requireValidUser(userId, "uid");
        int closed = 0;
        for (Session s : hub.sessions(userId)) {
            if (connectionId == null || connectionId.equals(s.id())) {
                s.close(CloseReason.KICKED);
                closed++;
            }
        }
        return closed;
    }

    /** A snapshot of the hub for {@code GET /api/v1/stats}. */
    public record Stats(String nodeId, String version, Duration uptime, int connections, int usersOnline, int topics,
                        long messagesIn, long messagesOut, long dropped, long slowConsumerCloses,
                        long connectionsRejected, java.util.Map<String, Integer> connectionsByTransport) { }

    public Stats stats() {
        return new Stats(nodeId, version, Duration.between(startedAt, clock.instant()), hub.connectionCount(),
                hub.userCount(), hub.topicCount(), stats.messagesIn.sum(), stats.messagesOut.sum(), stats.dropped.sum(),
                stats.slowConsumerCloses.sum(), stats.connectionsRejected.sum(), hub.connectionsByTransport());
    }
}
