package dev.herald.core.connection;

import dev.herald.core.LogSafe;
import dev.herald.core.auth.Authenticator;
import dev.herald.core.auth.Principal;
import dev.herald.core.delivery.RecipientStore;
import dev.herald.core.hub.Hub;
import dev.herald.core.protocol.ClientFrame;
import dev.herald.core.protocol.ClientFrameParser;
import dev.herald.core.protocol.ProtocolError;
import dev.herald.core.protocol.ProtocolLimits;
import dev.herald.core.protocol.ServerFrames;
import dev.herald.core.message.MessageIds;
import dev.herald.core.message.Target;
import dev.herald.core.message.Topics;
import dev.herald.core.message.UserIds;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import dev.herald.core.session.Session;
import dev.herald.core.store.DeliveryStatus;
import dev.herald.core.store.ReplayFrom;
import dev.herald.core.store.ReplayRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The protocol state machine of one client connection, independent of the transport (a WebSocket, or an SSE stream fed only by {@link #startAuthenticated} and subscribe frames): login
 * (token, dev-mode uid, or the seed's {@code {"uid"}} frame), then subscribe / unsubscribe / ping.
 *
 * <p>Threading: the transport calls {@link #start}, {@link #onText} and {@link #onBinary} from one
 * thread at a time (the connection's event loop). {@link #awaitingAuthSince} may be read from any
 * thread. Failures never escape: every bad input ends in an error frame or a documented close.
 */
public final class ClientConnection {
    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

    private final BaseSession session;
    private final Hub hub;
    private final Authenticator authenticator;
    private final ClientFrameParser parser;
    private final ProtocolLimits limits;
    private final String nodeId;
    private final RecipientStore recipientStore;
    private final Replays replays;
    private volatile boolean authenticated;
    private Principal principal;
    private int badFrames;

    public ClientConnection(BaseSession session, Hub hub, Authenticator authenticator, ClientFrameParser parser,
                            ProtocolLimits limits, String nodeId, RecipientStore recipientStore) {
        this.session = session;
        this.recipientStore = recipientStore;
        this.replays = new Replays(session, recipientStore);
        this.hub = hub;
        this.authenticator = authenticator;
        this.parser = parser;
        this.limits = limits;
        this.nodeId = nodeId;
        session.onClose(() -> hub.remove(session));
    }

    /**
     * Called once the WebSocket is open. {@code queryToken}/{@code queryUid} come from
     * {@code /ws?token=…} or (dev mode) {@code /ws?uid=…}; when neither is given the first frame must log in.
     * {@code querySince} ({@code &since=}) is the last message id the client saw, or its last position in its inbox.
     */
    public void start(String queryToken, String queryUid, String querySince) {
        start(queryToken, queryUid, querySince, null);
    }

    /** {@link #start(String, String, String)} with {@code &sinceAll=}: the client's last position in the broadcast log. */
    public void start(String queryToken, String queryUid, String querySince, String querySinceAll) {
        Since since = new Since(querySince, querySinceAll);
        if (queryToken != null) {
            loginWithToken(queryToken, since);
        } else if (queryUid != null) {
            loginWithUid(queryUid, Session.Protocol.HERALD, since);
        }
    }

    /**
     * Starts a connection whose user the transport has authenticated already (an SSE stream, whose refusals are HTTP
     * answers rather than close codes): logs in as {@code principal} with the Herald protocol, exactly as a token login
     * with the same {@code since} and {@code sinceAll} does. Refused only by the per-user cap (closed with
     * {@link CloseReason#TOO_MANY_CONNECTIONS}). Topics follow as {@code subscribe} frames through {@link #onText}.
     */
    public void startAuthenticated(Principal principal, String since, String sinceAll) {
        login(principal, Session.Protocol.HERALD, new Since(since, sinceAll));
    }

    /** A login's cursors as the client sent them: for the inbox (an id or a position) and for the broadcast log (a position). */
    private record Since(String inbox, String all) {
        static final Since NONE = new Since(null, null);
    }

    /** Whether the connection has not logged in yet, and since when; {@code null} once it has. */
    public Instant awaitingAuthSince() {
        return authenticated ? null : session.connectedAt();
    }

    public void onBinary() {
        session.close(CloseReason.UNSUPPORTED_DATA);
    }

    public void onText(String text) {
        if (session.isClosed()) {
            return;
        }
        ClientFrame frame;
        try {
            frame = parser.parse(text);
        } catch (ProtocolError.Failure e) {
            if (!authenticated) {
                // a raw seed client cannot read error frames: the seed hub also hangs up here
                refuse(CloseReason.PROTOCOL_ERROR, "first frame is not a login frame (" + LogSafe.value(e.getMessage()) + ")");
            } else if (session.protocol() == Session.Protocol.SEED) {
                session.close(CloseReason.PROTOCOL_ERROR);
            } else {
                reject(e, null);
            }
            return;
        }
        if (!authenticated) {
            onLoginFrame(frame);
        } else if (session.protocol() == Session.Protocol.SEED) {
            // seed clients only ever send their login; anything after it is ignored, as the seed does
            log.debug("ignoring frame from seed-protocol connection {}", session.id());
        } else {
            onFrame(frame);
        }
    }

    private void onLoginFrame(ClientFrame frame) {
        if (frame.isSeedLogin()) {
            loginWithUid(frame.uid(), Session.Protocol.SEED, Since.NONE);
        } else if ("auth".equals(frame.type()) && frame.token() != null) {
            loginWithToken(frame.token(), new Since(frame.since(), frame.sinceAll()));
        } else if ("auth".equals(frame.type()) && frame.uid() != null) {
            loginWithUid(frame.uid(), Session.Protocol.HERALD, new Since(frame.since(), frame.sinceAll()));
        } else {
            refuse(CloseReason.UNAUTHORIZED, "sent " + LogSafe.quoted(String.valueOf(frame.type())) + " before logging in");
        }
    }

    private void loginWithToken(String token, Since since) {
        try {
            login(authenticator.authenticate(token), Session.Protocol.HERALD, since);
        } catch (Authenticator.AuthenticationException e) {
            refuse(e.forbidden() ? CloseReason.FORBIDDEN : CloseReason.UNAUTHORIZED, "token refused: " + LogSafe.value(e.getMessage()));
        }
    }

    private void loginWithUid(String uid, Session.Protocol protocol, Since since) {
        if (!authenticator.devMode()) {
            refuse(CloseReason.FORBIDDEN, "uid login while authentication is configured (use a token)");
            return;
        }
        if (!UserIds.isValid(uid)) {
            refuse(CloseReason.UNAUTHORIZED, uid == null || uid.isEmpty() ? "empty uid"
                    : "invalid uid '" + LogSafe.value(uid) + "' (1-" + UserIds.MAX_LENGTH + " characters, no control characters)");
            return;
        }
        try {
            login(authenticator.authenticateUid(uid), protocol, since);
        } catch (Authenticator.AuthenticationException e) {
            refuse(e.forbidden() ? CloseReason.FORBIDDEN : CloseReason.UNAUTHORIZED,
                    "uid '" + LogSafe.value(uid) + "' refused: " + LogSafe.value(e.getMessage()));
        }
    }

    private void login(Principal principal, Session.Protocol protocol, Since since) {
        this.principal = principal;
        String userId = principal.userId();
        session.bind(userId, protocol);
        session.onDelivered(messageId -> recipientStore.delivered(userId, messageId));
        // a live message beyond a hole (positions from several nodes out of order, or lost by the broker) waits for a
        // replay of what it skipped, rather than being sent over the hole
        session.cursors().fillHolesWith(replays);
        boolean seed = protocol == Session.Protocol.SEED;
        ReplayFrom inboxFrom = since.inbox() == null || seed ? null : ReplayFrom.parse(since.inbox());
        ReplayFrom allFrom = since.all() == null || seed ? null : ReplayFrom.parsePosition(since.all());
        // what the login replays: the inbox; with a broadcast-log cursor, the broadcast log after it; with a message
        // id, the broadcast log after it too (one message id is a cursor in every stream); else (not for seed
        // clients) only the broadcast log's head, so the positions frame can name where the client stands in it
        List<Replays.Stream> streams = new ArrayList<>(2);
        streams.add(new Replays.Stream(new Target.User(userId), inboxFrom == null ? ReplayFrom.BEGINNING : inboxFrom,
                inboxFrom == null ? (seed ? ReplayRequest.Pending.UNDELIVERED : ReplayRequest.Pending.UNACKED) : ReplayRequest.Pending.ALL,
                inboxFrom == null ? "" : since.inbox(), true));
        if (allFrom != null) {
            streams.add(new Replays.Stream(Target.Everyone.INSTANCE, allFrom, ReplayRequest.Pending.ALL, since.all(), false));
        } else if (inboxFrom != null && inboxFrom.afterId() != null) {
            streams.add(new Replays.Stream(Target.Everyone.INSTANCE, inboxFrom, ReplayRequest.Pending.ALL, since.inbox(), false));
        } else if (!seed) {
            streams.add(new Replays.Stream(Target.Everyone.INSTANCE, ReplayFrom.HEAD, ReplayRequest.Pending.ALL, "", false));
        }
        // live messages of the replayed streams wait from the moment the hub knows the session until the replay is sent
        replays.begin(streams);
        if (hub.add(session) == Hub.AddResult.TOO_MANY_CONNECTIONS) {
            refuse(CloseReason.TOO_MANY_CONNECTIONS, "user '" + LogSafe.value(userId) + "' holds its maximum of connections");
            return;
        }
        authenticated = true;
        if (session.isClosed()) {
            hub.remove(session); // the peer left while we were adding it: do not leak the entry
            return;
        }
        if (!seed) {
            session.send(ServerFrames.welcome(session.id(), userId, limits.heartbeat().toMillis(), nodeId));
        }
        if (since.inbox() != null && inboxFrom == null) {
            session.send(ServerFrames.error(ProtocolError.INVALID_CURSOR,
                    "since is neither a message id nor a position (<pos>@<epoch> or 0); replaying unacked messages instead", null));
        }
        if (since.all() != null && allFrom == null) {
            session.send(ServerFrames.error(ProtocolError.INVALID_CURSOR,
                    "sinceAll is not a position (<pos>@<epoch> or 0); the broadcast log is not replayed", null));
        }
        replays.run(streams, null, seed ? null
                : heads -> ServerFrames.loginPositions(ReplayFrom.cursorOf(heads.get(0)), ReplayFrom.cursorOf(heads.get(1))));
    }

    private void onFrame(ClientFrame frame) {
        try {
            String type = frame.type();
            if (type == null) {
                throw new ProtocolError.Failure(ProtocolError.INVALID_FRAME, "type is required");
            }
            switch (type) {
                case "ping" -> session.send(ServerFrames.pong(frame.ref()));
                case "subscribe" -> subscribe(frame);
                case "unsubscribe" -> unsubscribe(frame);
                case "ack" -> acknowledge(frame, DeliveryStatus.ACKED);
                case "read" -> acknowledge(frame, DeliveryStatus.READ);
                case "auth" -> throw new ProtocolError.Failure(ProtocolError.ALREADY_AUTHENTICATED, "this connection is already authenticated");
                default -> throw new ProtocolError.Failure(ProtocolError.UNKNOWN_TYPE,
                        "unknown frame type (expected ping, subscribe, unsubscribe, ack or read)");
            }
        } catch (ProtocolError.Failure e) {
            reject(e, frame.ref());
        }
    }

    private void subscribe(ClientFrame frame) throws ProtocolError.Failure {
        List<String> topics = requireTopics(frame);
        for (int i = 0; i < topics.size(); i++) {
            if (!principal.maySubscribe(topics.get(i))) {
                throw new ProtocolError.Failure(ProtocolError.FORBIDDEN_TOPIC, topicPath(frame, i) + ": not allowed to subscribe to this topic");
            }
        }
        long fresh = topics.stream().filter(t -> !session.topics().contains(t)).distinct().count();
        if (session.topics().size() + fresh > limits.maxTopicsPerConnection()) {
            throw new ProtocolError.Failure(ProtocolError.TOO_MANY_TOPICS,
                    "a connection follows at most " + limits.maxTopicsPerConnection() + " topics");
        }
        String since = frame.since();
        ReplayFrom from = since == null ? null : ReplayFrom.parse(since);
        if (since != null && from == null) {
            throw new ProtocolError.Failure(ProtocolError.INVALID_CURSOR, "since is neither a message id nor a position (<pos>@<epoch> or 0)");
        }
        if (from != null && from.afterPosition() != null && topics.stream().distinct().count() > 1) {
            throw new ProtocolError.Failure(ProtocolError.INVALID_CURSOR,
                    "a position (<pos>@<epoch>) names one topic's place: subscribe to one topic per position");
        }
        // every topic is read: from the cursor, or only its head, so the positions frame can name where it stands
        List<String> distinct = topics.stream().distinct().toList();
        List<Replays.Stream> topicReplays = distinct.stream()
                .map(topic -> new Replays.Stream(new Target.Topic(topic), from == null ? ReplayFrom.HEAD : from,
                        ReplayRequest.Pending.ALL, since, false)).toList();
        replays.begin(topicReplays); // before subscribing: live topic messages wait behind the replay
        for (String topic : topics) {
            hub.subscribe(session, topic);
        }
        session.send(ServerFrames.subscribed("subscribed", topics, frame.ref()));
        replays.run(topicReplays, new java.util.HashSet<>(), heads -> ServerFrames.topicPositions(distinct,
                heads.stream().map(ReplayFrom::cursorOf).toList(), frame.ref()));
    }

    /** {@code ack} / {@code read}: recorded for this user; ids of other users' messages are ignored (and counted). */
    private void acknowledge(ClientFrame frame, DeliveryStatus status) throws ProtocolError.Failure {
        List<String> ids = frame.messageIds();
        if (ids.isEmpty()) {
            throw new ProtocolError.Failure(ProtocolError.INVALID_FRAME, "id (or ids) is required");
        }
        for (int i = 0; i < ids.size(); i++) {
            if (!MessageIds.isValid(ids.get(i))) {
                // messageIds() puts id first, then ids
                String path = frame.id() == null ? "ids[" + i + "]" : i == 0 ? "id" : "ids[" + (i - 1) + "]";
                throw new ProtocolError.Failure(ProtocolError.INVALID_FRAME, path + " is not a message id");
            }
        }
        recipientStore.acknowledge(principal.userId(), ids, status);
    }

    private void unsubscribe(ClientFrame frame) throws ProtocolError.Failure {
        List<String> topics = requireTopics(frame);
        for (String topic : topics) {
            hub.unsubscribe(session, topic);
            session.cursors().forget(new Target.Topic(topic));
        }
        session.send(ServerFrames.subscribed("unsubscribed", topics, frame.ref()));
    }

    private static List<String> requireTopics(ClientFrame frame) throws ProtocolError.Failure {
        if (frame.topics().isEmpty()) {
            throw new ProtocolError.Failure(ProtocolError.INVALID_FRAME, "topics is required: [\"name\", …]");
        }
        List<String> out = new ArrayList<>(frame.topics().size());
        for (int i = 0; i < frame.topics().size(); i++) {
            String topic = frame.topics().get(i);
            if (!Topics.isValid(topic)) {
                throw new ProtocolError.Failure(ProtocolError.INVALID_TOPIC, topicPath(frame, i)
                        + " is not a valid topic name: 1-" + Topics.MAX_LENGTH + " characters of A-Z a-z 0-9 _ - . : / @");
            }
            out.add(topic);
        }
        return out;
    }

    /**
     * Refuses the login: one DEBUG line with the reason (client-supplied values in it already went through
     * {@link LogSafe#value}, so a control character cannot forge log lines), then the close.
     */
    private void refuse(CloseReason reason, String why) {
        log.debug("connection {} from {}: login refused with {}: {}", session.id(), session.remoteAddress(), reason.code(), why);
        session.close(reason);
    }

    private void reject(ProtocolError.Failure failure, String ref) {
        if (++badFrames > limits.maxBadFrames()) {
            session.close(CloseReason.PROTOCOL_ERROR);
            return;
        }
        session.send(ServerFrames.error(failure.error(), failure.getMessage(), ref));
    }

    /** Where a frame's {@code i}-th topic was given, for error messages (which never quote the topic itself). */
    private static String topicPath(ClientFrame frame, int i) {
        return frame.topics().size() == 1 ? "topic" : "topics[" + i + "]";
    }
}
