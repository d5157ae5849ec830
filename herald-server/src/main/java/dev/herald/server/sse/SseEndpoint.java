package dev.herald.server.sse;

import dev.herald.core.JsonText;
import dev.herald.core.auth.Authenticator;
import dev.herald.core.auth.Principal;
import dev.herald.core.connection.ClientConnection;
import dev.herald.core.delivery.RecipientStore;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.message.Topics;
import dev.herald.core.protocol.ClientFrameParser;
import dev.herald.core.protocol.ProtocolLimits;
import dev.herald.core.session.CloseReason;
import dev.herald.server.api.ErrorRenderer;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.net.ConnectQuery;
import dev.herald.server.net.ConnectionLimit;
import dev.herald.server.net.ConnectionSlot;
import dev.herald.server.net.HeartbeatWheel;
import dev.herald.server.net.OriginPolicy;
import dev.herald.server.net.OriginRefusals;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /api/v1/events}: a Herald connection as a Server-Sent Events stream, for clients that cannot hold a
 * WebSocket (proxies that break upgrades, {@code curl -N}, scripts). The same core runs it as a WebSocket: a
 * {@link ClientConnection} over an {@link SseSession}, in the same hub, with the same per-node cap
 * ({@code ws.max-connections}, one {@link ConnectionSlot} per stream), per-user cap, send-queue bound and slow-consumer
 * rule. Only the way in differs: everything is decided by the request, before the stream begins, so every refusal is
 * an HTTP error in the JSON envelope:
 * <ul>
 *   <li>auth as {@code /ws} ({@link ClientCredentials}); the {@code Origin} checked against {@code ws.allowed-origins}
 *       (and echoed in {@code Access-Control-Allow-Origin} when allowed, so a page on another origin can read);</li>
 *   <li>{@code ?topics=a,b}: the topics followed, each subscribed as by a {@code subscribe} frame;</li>
 *   <li>{@code Last-Event-ID} (or {@code ?lastEventId=}): where to resume each stream ({@link LastEventId}); without
 *       it, {@code ?since=} and {@code ?sinceAll=} as on {@code /ws}.</li>
 * </ul>
 * A heartbeat comment goes to every stream once per {@code ws.heartbeat} (spread by a {@link HeartbeatWheel}).
 * Thread-safe; each stream lives on its request's event loop.
 */
public final class SseEndpoint {
    private static final Logger log = LoggerFactory.getLogger(SseEndpoint.class);

    private final Vertx vertx;
    private final Hub hub;
    private final HubStats stats;
    private final Authenticator authenticator;
    private final ClientCredentials credentials;
    private final HeraldConfig config;
    private final ProtocolLimits limits;
    private final OriginPolicy originPolicy;
    private final OriginRefusals originRefusals = new OriginRefusals();
    private final ClientFrameParser parser = new ClientFrameParser();
    private final Clock clock;
    private final BooleanSupplier draining;
    private final RecipientStore recipientStore;
    private final ConnectionLimit connectionLimit;
    private final AtomicLong streamSeq = new AtomicLong();
    private final LongAdder closingTimeouts = new LongAdder();
    /**
     * Every open stream, in the heartbeat's slices; shutdown walks them all. No other registry of the open streams: a
     * second map cost one more entry per stream.
     */
    private final HeartbeatWheel<SseSession> heartbeats;
    private long heartbeatTimer = -1;

    public SseEndpoint(Vertx vertx, Hub hub, HubStats stats, Authenticator authenticator, HeraldConfig config, Clock clock,
                       BooleanSupplier draining, RecipientStore recipientStore, ConnectionLimit connectionLimit) {
        this.vertx = vertx;
        this.hub = hub;
        this.stats = stats;
        this.authenticator = authenticator;
        this.credentials = new ClientCredentials(authenticator);
        this.config = config;
        this.clock = clock;
        this.draining = draining;
        this.recipientStore = recipientStore;
        this.connectionLimit = connectionLimit;
        this.limits = new ProtocolLimits(config.maxTopicsPerConnection(), ProtocolLimits.DEFAULT_MAX_BAD_FRAMES,
                config.heartbeat(), config.authTimeout());
        this.originPolicy = new OriginPolicy(config.allowedOrigins(), authenticator.devMode());
        this.heartbeats = new HeartbeatWheel<>(config.heartbeat());
    }

    public void startSweeps() {
        heartbeatTimer = vertx.setPeriodic(heartbeats.tickMillis(), id -> heartbeats.tick(SseSession::heartbeat));
    }

    public void stopSweeps() {
        vertx.cancelTimer(heartbeatTimer);
    }

    /** Route handler for {@code GET /api/v1/events}. */
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Request accepted;
        try {
            accepted = check(request);
        } catch (HeraldException e) {
            log.debug("SSE stream from {} refused: {}", request.remoteAddress(), e.getMessage());
            ErrorRenderer.render(ctx, e);
            return;
        }
        ConnectionSlot slot = connectionLimit.tryAcquireWebSocket();
        if (slot == null) {
            ErrorRenderer.render(ctx, ErrorCode.TOO_MANY_CONNECTIONS.exception("this node holds its maximum of "
                    + connectionLimit.maxWebSockets() + " connections (ws.max-connections); retry on another node or later"));
            return;
        }
        try {
            open(request, accepted, slot);
        } catch (RuntimeException e) {
            slot.release();
            throw e; // the router's failure handler answers 500 and logs it: a bug, not the client's doing
        }
    }

    /** What a request asks for, once every check passed. */
    private record Request(Principal principal, List<String> topics, LastEventId resume, String since, String sinceAll) { }

    private Request check(HttpServerRequest request) throws HeraldException {
        if (draining.getAsBoolean()) {
            throw ErrorCode.SHUTTING_DOWN.exception();
        }
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (!originPolicy.allows(origin, request.getHeader(HttpHeaders.HOST))) {
            originRefusals.refused(origin, request.remoteAddress());
            throw ErrorCode.ORIGIN_NOT_ALLOWED.exception(
                    "this page's origin is not allowed to open an event stream here (ws.allowed-origins)");
        }
        ConnectQuery query = ConnectQuery.parse(request.query());
        Principal principal = credentials.principal(request, query, null);
        List<String> topics = topics(query.topics(), principal);
        String lastEventId = request.getHeader("Last-Event-ID");
        if (lastEventId == null || lastEventId.isBlank()) {
            lastEventId = query.lastEventId();
        }
        LastEventId resume = LastEventId.parse(lastEventId);
        boolean resuming = lastEventId != null && !lastEventId.isBlank();
        return new Request(principal, topics, resume, resuming ? resume.inbox() : query.since(),
                resuming ? resume.all() : query.sinceAll());
    }

    /** {@code ?topics=a,b}: valid names, no more than a connection may follow, each granted to the principal. */
    private List<String> topics(String list, Principal principal) throws HeraldException {
        if (list == null || list.isBlank()) {
            return List.of();
        }
        Set<String> topics = new LinkedHashSet<>();
        for (String topic : list.split(",")) {
            String name = topic.trim();
            if (!Topics.isValid(name)) {
                throw ErrorCode.INVALID_REQUEST.exception("topics holds a name that is not a valid topic: 1-"
                        + Topics.MAX_LENGTH + " characters of A-Z a-z 0-9 _ - . : / @, comma-separated");
            }
            if (!principal.maySubscribe(name)) {
                throw ErrorCode.FORBIDDEN.exception("the token does not grant the topic '" + name + "'");
            }
            topics.add(name);
        }
        if (topics.size() > limits.maxTopicsPerConnection()) {
            throw ErrorCode.INVALID_REQUEST.exception("a connection follows at most " + limits.maxTopicsPerConnection()
                    + " topics (ws.max-topics-per-connection)");
        }
        return new ArrayList<>(topics);
    }

    /** Runs with {@code slot} taken; from here the stream owns it, until its response closes. */
    private void open(HttpServerRequest request, Request accepted, ConnectionSlot slot) {
        String id = "s" + Long.toString(streamSeq.incrementAndGet(), 36) + "-" + config.nodeId();
        Context context = vertx.getOrCreateContext();
        var response = request.response();
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin != null) {
            response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin).putHeader(HttpHeaders.VARY, "Origin");
        }
        var remote = request.remoteAddress();
        SseSession session = new SseSession(id, remote == null ? "unknown" : remote.host() + ":" + remote.port(),
                Instant.now(clock), response, dev.herald.server.net.VertxInternals.channel(request), context, config.sendQueueBytes(), stats, accepted.resume(),
                closingTimeouts);
        ClientConnection connection = new ClientConnection(session, hub, authenticator, parser, limits, config.nodeId(), recipientStore);
        int slice = heartbeats.add(session);
        Runnable closed = () -> { // runs twice (close and end handlers): each step is idempotent
            heartbeats.remove(session, slice);
            session.responseClosed();
            slot.release();
        };
        response.closeHandler(v -> closed.run());
        response.endHandler(v -> closed.run());
        response.exceptionHandler(e -> request.connection().close());
        connection.startAuthenticated(accepted.principal(), accepted.since(), accepted.sinceAll());
        for (String topic : accepted.topics()) {
            if (session.isClosed()) {
                return;
            }
            String since = accepted.resume().topics().get(topic);
            connection.onText("{\"type\":\"subscribe\",\"topics\":[" + JsonText.quote(topic) + "]"
                    + (since == null ? "" : ",\"since\":" + JsonText.quote(since)) + "}");
        }
    }

    /**
     * Streams whose connection was dropped because their last event (the {@code close}) had not left within
     * {@link SseSession#CLOSING_TIMEOUT_SECONDS} s: a peer that stopped reading (a slow consumer) holds no socket for longer.
     */
    public LongAdder closingTimeouts() {
        return closingTimeouts;
    }

    /** Streams open now. */
    public int openStreams() {
        return heartbeats.size();
    }

    /** {@link dev.herald.server.HeraldServer#halt}: drops every stream's connection at once, as a killed process's would be. */
    public void abortAll() {
        heartbeats.forEach(SseSession::abort);
    }

    /** Shutdown: ends every stream with a {@code close} event (1001: reconnect elsewhere). */
    public void closeAll(CloseReason reason) {
        heartbeats.forEach(session -> session.close(reason));
    }
}
