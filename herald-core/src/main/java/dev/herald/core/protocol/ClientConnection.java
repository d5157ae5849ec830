package dev.herald.core.protocol;

import dev.herald.core.JsonText;
import dev.herald.core.auth.Authenticator;
import dev.herald.core.auth.Principal;
import dev.herald.core.hub.Hub;
import dev.herald.core.message.Topics;
import dev.herald.core.message.UserIds;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import dev.herald.core.session.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The protocol state machine of one WebSocket connection, independent of the transport: login
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
    private volatile boolean authenticated;
    private Principal principal;
    private int badFrames;

    public ClientConnection(BaseSession session, Hub hub, Authenticator authenticator, ClientFrameParser parser,
                            ProtocolLimits limits, String nodeId) {
        this.session = session;
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
     */
    public void start(String queryToken, String queryUid) {
        if (queryToken != null) {
            loginWithToken(queryToken);
        } else if (queryUid != null) {
            loginWithUid(queryUid, Session.Protocol.HERALD);
        }
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
            if (!authenticated || session.protocol() == Session.Protocol.SEED) {
                // before login, or a raw seed client that cannot read error frames: the seed hub also hangs up here
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
            loginWithUid(frame.uid(), Session.Protocol.SEED);
        } else if ("auth".equals(frame.type()) && frame.token() != null) {
            loginWithToken(frame.token());
        } else if ("auth".equals(frame.type()) && frame.uid() != null) {
            loginWithUid(frame.uid(), Session.Protocol.HERALD);
        } else {
            log.debug("connection {} sent '{}' before authenticating", session.id(), frame.type());
            session.close(CloseReason.UNAUTHORIZED);
        }
    }

    private void loginWithToken(String token) {
        try {
            login(authenticator.authenticate(token), Session.Protocol.HERALD);
        } catch (Authenticator.AuthenticationException e) {
            log.debug("connection {} refused: {}", session.id(), e.getMessage());
            session.close(e.forbidden() ? CloseReason.FORBIDDEN : CloseReason.UNAUTHORIZED);
        }
    }

    private void loginWithUid(String uid, Session.Protocol protocol) {
        if (!authenticator.devMode()) {
            session.close(CloseReason.FORBIDDEN);
            return;
        }
        if (!UserIds.isValid(uid)) {
            session.close(CloseReason.UNAUTHORIZED);
            return;
        }
        try {
            login(authenticator.authenticateUid(uid), protocol);
        } catch (Authenticator.AuthenticationException e) {
            session.close(e.forbidden() ? CloseReason.FORBIDDEN : CloseReason.UNAUTHORIZED);
        }
    }

    private void login(Principal principal, Session.Protocol protocol) {
        this.principal = principal;
        session.bind(principal.userId(), protocol);
        if (hub.add(session) == Hub.AddResult.TOO_MANY_CONNECTIONS) {
            session.close(CloseReason.TOO_MANY_CONNECTIONS);
            return;
        }
        authenticated = true;
        if (session.isClosed()) {
            hub.remove(session); // the peer left while we were adding it: do not leak the entry
            return;
        }
        if (protocol == Session.Protocol.HERALD) {
            session.send(ServerFrames.welcome(session.id(), principal.userId(), limits.heartbeat().toMillis(), nodeId));
        }
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
                case "auth" -> throw new ProtocolError.Failure(ProtocolError.ALREADY_AUTHENTICATED, "this connection is already authenticated");
                default -> throw new ProtocolError.Failure(ProtocolError.UNKNOWN_TYPE, "unknown frame type '" + printable(type) + "'");
            }
        } catch (ProtocolError.Failure e) {
            reject(e, frame.ref());
        }
    }

    private void subscribe(ClientFrame frame) throws ProtocolError.Failure {
        List<String> topics = requireTopics(frame);
        for (String topic : topics) {
            if (!principal.maySubscribe(topic)) {
                throw new ProtocolError.Failure(ProtocolError.FORBIDDEN_TOPIC, "not allowed to subscribe to '" + topic + "'");
            }
        }
        long fresh = topics.stream().filter(t -> !session.topics().contains(t)).distinct().count();
        if (session.topics().size() + fresh > limits.maxTopicsPerConnection()) {
            throw new ProtocolError.Failure(ProtocolError.TOO_MANY_TOPICS,
                    "a connection follows at most " + limits.maxTopicsPerConnection() + " topics");
        }
        for (String topic : topics) {
            hub.subscribe(session, topic);
        }
        session.send(ServerFrames.subscribed("subscribed", topics, frame.ref()));
    }

    private void unsubscribe(ClientFrame frame) throws ProtocolError.Failure {
        List<String> topics = requireTopics(frame);
        for (String topic : topics) {
            hub.unsubscribe(session, topic);
        }
        session.send(ServerFrames.subscribed("unsubscribed", topics, frame.ref()));
    }

    private static List<String> requireTopics(ClientFrame frame) throws ProtocolError.Failure {
        if (frame.topics().isEmpty()) {
            throw new ProtocolError.Failure(ProtocolError.INVALID_FRAME, "topics is required: [\"name\", …]");
        }
        List<String> out = new ArrayList<>(frame.topics().size());
        for (String topic : frame.topics()) {
            if (!Topics.isValid(topic)) {
                throw new ProtocolError.Failure(ProtocolError.INVALID_TOPIC, "invalid topic name '" + printable(topic)
                        + "': 1-" + Topics.MAX_LENGTH + " characters of A-Z a-z 0-9 _ - . : / @");
            }
            out.add(topic);
        }
        return out;
    }

    private void reject(ProtocolError.Failure failure, String ref) {
        if (++badFrames > limits.maxBadFrames()) {
            session.close(CloseReason.PROTOCOL_ERROR);
            return;
        }
        session.send(ServerFrames.error(failure.error(), failure.getMessage(), ref));
    }

    private static String printable(String s) {
        return JsonText.printable(s);
    }
}
