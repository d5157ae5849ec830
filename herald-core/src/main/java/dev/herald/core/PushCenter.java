package dev.herald.core;

import dev.herald.core.broker.Broker;
import dev.herald.core.broker.Delivery;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.message.Message;
import dev.herald.core.message.MessageIds;
import dev.herald.core.message.PublishRequest;
import dev.herald.core.message.Topics;
import dev.herald.core.message.UserIds;
import dev.herald.core.protocol.PublishRequestParser;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import dev.herald.core.session.Session;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Herald's transport-free API: every operation the HTTP adapter offers is one method here that
 * returns a result or throws a catalogued {@link HeraldException}. Thread-safe; never blocks on a
 * client (publishing only enqueues onto bounded session queues).
 */
public final class PushCenter {
    /** Recipients one message may name (users + topics); larger fan-outs use topics or {@code all}. */
    public static final int MAX_RECIPIENTS = 1_000;

    private final Hub hub;
    private final Broker broker;
    private final HubStats stats;
    private final Clock clock;
    private final MessageIds ids = new MessageIds();
    private final PublishRequestParser parser = new PublishRequestParser();
    private final String nodeId;
    private final String version;
    private final Instant startedAt;

    public PushCenter(Hub hub, Broker broker, HubStats stats, Clock clock, String nodeId, String version) {
        this.hub = hub;
        this.broker = broker;
        this.stats = stats;
        this.clock = clock;
        this.nodeId = nodeId;
        this.version = version;
        this.startedAt = clock.instant();
    }

    /** Result of one publish: the message id and how many connections on this node accepted it. */
    public record Published(String id, int delivered) { }

    /** One entry of a batch result: {@code published} or {@code error}, never both. */
    public record BatchResult(Published published, HeraldException error) { }

    /** The seed's {@code /send}: a plain-text message to one user. Throws {@code user_offline} if nobody got it. */
    public Published send(String userId, String message) {
        if (userId == null || userId.isEmpty()) {
            throw ErrorCode.UID_REQUIRED.exception();
        }
        if (message == null) {
            throw ErrorCode.MESSAGE_REQUIRED.exception();
        }
        requireValidUser(userId, "uid");
        String dataJson = JsonText.quote(message);
        Published published = publish(PublishRequest.toUser(userId, dataJson, message.getBytes(StandardCharsets.UTF_8)));
        if (published.delivered() == 0) {
            throw ErrorCode.USER_OFFLINE.exception("user '" + userId + "' has no connection");
        }
        return published;
    }

    /** {@code POST /api/v1/messages}: body is the JSON request. */
    public Published publishJson(String body) {
        return publish(parser.parseOne(body));
    }

    /** {@code POST /api/v1/messages/batch}. */
    public List<BatchResult> publishBatchJson(String body, int maxMessages) {
        List<PublishRequestParser.Item> items = parser.parseBatch(body, maxMessages);
        List<BatchResult> results = new ArrayList<>(items.size());
        for (PublishRequestParser.Item item : items) {
            if (item.error() != null) {
                results.add(new BatchResult(null, item.error()));
                continue;
            }
            try {
                results.add(new BatchResult(publish(item.request()), null));
            } catch (HeraldException e) {
                results.add(new BatchResult(null, e));
            }
        }
        return results;
    }

    public Published publish(PublishRequest request) {
        validate(request);
        long now = clock.millis();
        Message message = new Message(ids.next(now), now, request.dataJson(), request.rawBody());
        stats.messagesIn.increment();
        int delivered = broker.publish(new Delivery(request.targets(), message));
        return new Published(message.id(), delivered);
    }

    private static void validate(PublishRequest request) {
        if (request.users().size() + request.topics().size() > MAX_RECIPIENTS) {
            throw ErrorCode.INVALID_REQUEST.exception("a message names at most " + MAX_RECIPIENTS
                    + " users and topics together; use a topic or all:true for larger audiences");
        }
        for (String user : request.users()) {
            requireValidUser(user, "to.users");
        }
        for (String topic : request.topics()) {
            if (!Topics.isValid(topic)) {
                throw ErrorCode.INVALID_REQUEST.exception("to.topics has an invalid topic name '" + JsonText.printable(topic)
                        + "': 1-" + Topics.MAX_LENGTH + " characters of A-Z a-z 0-9 _ - . : / @");
            }
        }
    }

    private static void requireValidUser(String userId, String field) {
        if (!UserIds.isValid(userId)) {
            throw ErrorCode.INVALID_REQUEST.exception(field + " has an invalid user id: 1-" + UserIds.MAX_LENGTH
                    + " characters, no control characters");
        }
    }

    /** A connection as presence shows it. */
    public record ConnectionInfo(String id, String remoteAddress, String protocol, Instant connectedAt, List<String> topics) { }

    public record Presence(String userId, boolean online, List<ConnectionInfo> connections) { }

    public Presence presence(String userId) {
        requireValidUser(userId, "uid");
        List<ConnectionInfo> connections = new ArrayList<>();
        for (Session s : hub.sessions(userId)) {
            List<String> topics = s instanceof BaseSession b ? List.copyOf(b.topicsView()) : List.of();
            connections.add(new ConnectionInfo(s.id(), s.remoteAddress(), s.protocol().wireName(), s.connectedAt(), topics));
        }
        return new Presence(userId, !connections.isEmpty(), connections);
    }

    /**
     * Disconnects the user's connections (or only {@code connectionId}, when given) with
     * {@link CloseReason#KICKED}. Returns how many were closed.
     */
    public int kick(String userId, String connectionId) {
        requireValidUser(userId, "uid");
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
                        long connectionsRejected) { }

    public Stats stats() {
        return new Stats(nodeId, version, Duration.between(startedAt, clock.instant()), hub.connectionCount(),
                hub.userCount(), hub.topicCount(), stats.messagesIn.sum(), stats.messagesOut.sum(), stats.dropped.sum(),
                stats.slowConsumerCloses.sum(), stats.connectionsRejected.sum());
    }
}
