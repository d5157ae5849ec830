package dev.herald.server.ws;

import dev.herald.core.auth.Authenticator;
import dev.herald.core.delivery.Inbox;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.protocol.ClientConnection;
import dev.herald.core.protocol.ClientFrameParser;
import dev.herald.core.protocol.ProtocolLimits;
import dev.herald.core.session.CloseReason;
import dev.herald.server.api.ErrorRenderer;
import dev.herald.server.config.HeraldConfig;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /ws}: checks the Origin, upgrades, and wires a {@link VertxSession} to a core
 * {@link ClientConnection}. Also runs the two per-node sweeps: closing connections that did not
 * authenticate in time (4002), and the heartbeat (a ping to every connection once per {@code ws.heartbeat},
 * spread over the interval by a {@link HeartbeatWheel}; a connection silent for {@code ws.idle-timeout}
 * is closed with 4010 and removed).
 */
public final class WebSocketEndpoint {
    private static final Logger log = LoggerFactory.getLogger(WebSocketEndpoint.class);

    private final Vertx vertx;
    private final Hub hub;
    private final HubStats stats;
    private final Authenticator authenticator;
    private final HeraldConfig config;
    private final ProtocolLimits limits;
    private final OriginPolicy originPolicy;
    private final ClientFrameParser parser = new ClientFrameParser();
    private final Clock clock;
    private final BooleanSupplier draining;
    private final Inbox inbox;
    private final ConnectionLimit connectionLimit;
    private final AtomicLong connectionSeq = new AtomicLong();
    /** Every open connection, authenticated or not: for the sweeps and for shutdown. */
    private final Map<VertxSession, Open> open = new ConcurrentHashMap<>();
    /** The heartbeat's slices: each tick pings one of them, so the pings of a node are spread over the interval. */
    private final HeartbeatWheel<VertxSession> heartbeats;
    private long authTimer = -1;
    private long heartbeatTimer = -1;

    public WebSocketEndpoint(Vertx vertx, Hub hub, HubStats stats, Authenticator authenticator, HeraldConfig config,
                             Clock clock, BooleanSupplier draining, Inbox inbox, ConnectionLimit connectionLimit) {
        this.vertx = vertx;
        this.connectionLimit = connectionLimit;
        this.inbox = inbox;
        this.hub = hub;
        this.stats = stats;
        this.authenticator = authenticator;
        this.config = config;
        this.clock = clock;
        this.draining = draining;
        this.limits = new ProtocolLimits(config.maxTopicsPerConnection(), ProtocolLimits.DEFAULT_MAX_BAD_FRAMES,
                config.heartbeat(), config.authTimeout());
        this.originPolicy = new OriginPolicy(config.allowedOrigins(), authenticator.devMode());
        this.heartbeats = new HeartbeatWheel<>(config.heartbeat());
    }

    /** An open connection and the heartbeat slice it is in. */
    private record Open(ClientConnection connection, int heartbeatSlice) { }

    public void startSweeps() {
        long authPeriod = Math.max(100, Math.min(1000, config.authTimeout().toMillis() / 4));
        authTimer = vertx.setPeriodic(authPeriod, id -> sweepUnauthenticated());
        heartbeatTimer = vertx.setPeriodic(heartbeats.tickMillis(), id -> heartbeats.tick(this::heartbeat));
    }

    public void stopSweeps() {
        vertx.cancelTimer(authTimer);
        vertx.cancelTimer(heartbeatTimer);
    }

    /** Route handler for {@code GET /ws}. */
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (draining.getAsBoolean()) {
            ErrorRenderer.render(ctx, ErrorCode.SHUTTING_DOWN.exception());
            return;
        }
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (!originPolicy.allows(origin, request.getHeader(HttpHeaders.HOST))) {
            log.info("refused WebSocket from origin {} ({})", origin, request.remoteAddress());
            ErrorRenderer.render(ctx, ErrorCode.ORIGIN_NOT_ALLOWED.exception("origin " + origin + " is not allowed (ws.allowed-origins)"));
            return;
        }
        String connectionHeader = request.getHeader(HttpHeaders.CONNECTION);
        if (!"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))
                || connectionHeader == null || !connectionHeader.toLowerCase(java.util.Locale.ROOT).contains("upgrade")) {
            ErrorRenderer.render(ctx, ErrorCode.UPGRADE_REQUIRED.exception());
            return;
        }
        if (!connectionLimit.tryAcquireWebSocket()) {
            // before the upgrade, so the refusal costs no session; and the socket is closed once the answer is
            // written (Vert.x keeps an HTTP/1.1 connection open despite the header), so its descriptor is free at once
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close").endHandler(v -> request.connection().close());
            ErrorRenderer.render(ctx, ErrorCode.TOO_MANY_CONNECTIONS.exception("this node holds its maximum of "
                    + connectionLimit.maxWebSockets() + " connections (ws.max-connections); retry on another node or later"));
            return;
        }
        String token = request.getParam("token");
        String uid = request.getParam("uid");
        String since = request.getParam("since");
        request.toWebSocket().onSuccess(ws -> {
                    releaseHandshake(request);
                    accept(ws, nettyChannel(request), token, uid, since);
                })
                .onFailure(e -> {
                    connectionLimit.releaseWebSocket();
                    log.debug("WebSocket upgrade failed from {}: {}", request.remoteAddress(), e.getMessage());
                });
    }

    /** Runs with a slot of the connection limit taken; the slot is given back when the socket closes. */
    private void accept(ServerWebSocket ws, Channel channel, String token, String uid, String since) {
        String id = "c" + Long.toString(connectionSeq.incrementAndGet(), 36) + "-" + config.nodeId();
        VertxSession session = new VertxSession(id, ws, channel, vertx.getOrCreateContext(), config.sendQueueBytes(), stats,
                Instant.now(clock));
        ClientConnection connection = new ClientConnection(session, hub, authenticator, parser, limits, config.nodeId(), inbox);
        open.put(session, new Open(connection, heartbeats.add(session)));
        wire(ws, session, config.maxMessageSize(), new MessageAssembler.Sink() {
            @Override
            public void text(String text) {
                connection.onText(text);
            }

            @Override
            public void binary(byte[] data) {
                connection.onBinary();
            }
        }, () -> {
            Open closed = open.remove(session);
            if (closed != null) {
                heartbeats.remove(session, closed.heartbeatSlice());
            }
            connectionLimit.releaseWebSocket();
        });
        try {
            connection.start(token, uid, since);
        } catch (RuntimeException e) {
            log.error("connection {} failed to start", id, e);
            session.close(CloseReason.SERVER_ERROR);
        }
    }

    /**
     * Empties the upgrade request's and response's header maps and the parsed query. Vert.x 5.0.5 keeps
     * the handshake request and response reachable for the WebSocket's whole life (the pipeline handler it
     * installs holds the factory lambda that captured them); Herald has read what it needs from them
     * before the upgrade, and nothing reads them after it (nor does Herald call {@link ServerWebSocket#headers()},
     * which is the same map). Saves their entries and strings on every idle connection.
     */
    private static void releaseHandshake(HttpServerRequest request) {
        request.headers().clear();
        request.params().clear();
        request.response().headers().clear();
    }

    /**
     * The Netty channel under an HTTP connection: for an upgraded request, the one {@link VertxSession}
     * writes its frames to. Vert.x 5 has no public accessor on a {@link ServerWebSocket} that vertx-web
     * wrapped, but the request's connection is a {@link ConnectionBase} on the same channel. Fails loudly
     * if a Vert.x upgrade changes that.
     */
    static Channel nettyChannel(HttpServerRequest request) {
        return nettyChannel(request.connection());
    }

    /** The Netty channel under an HTTP connection (see {@link #nettyChannel(HttpServerRequest)}). */
    public static Channel nettyChannel(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            return base.channel();
        }
        throw new IllegalStateException("no Netty channel under " + connection.getClass().getName());
    }

    /**
     * Wires a socket to its session, the same way for every Herald connection (a {@link ClientConnection}
     * behind {@code inbound}) and for the test-only Autobahn echo server, so the conformance suite runs
     * through this code: every frame marks the session seen; data frames are joined into messages by a
     * {@link MessageAssembler} (at most {@code maxMessageBytes}, text strictly UTF-8) and given to
     * {@code inbound}; a frame that breaks the WebSocket rules closes the connection with the matching
     * code (1002, 1007 or 1009); the socket closing ends the session and then runs {@code onClosed}.
     * Runs on the socket's event loop.
     */
    static void wire(ServerWebSocket ws, VertxSession session, int maxMessageBytes, MessageAssembler.Sink inbound,
                     Runnable onClosed) {
        MessageAssembler messages = new MessageAssembler(maxMessageBytes, inbound);
        ws.frameHandler(frame -> {
            session.markSeen();
            if (session.isClosed() || !(frame.isText() || frame.isBinary() || frame.isContinuation())) {
                return; // ping, pong and close are answered by Vert.x; nothing is read after a close
            }
            CloseReason failure = messages.frame(frame.type(), frame.isFinal(), frame.binaryData());
            if (failure != null) {
                closeNow(ws, session, failure);
            }
        });
        ws.exceptionHandler(e -> {
            log.debug("connection {}: {}", session.id(), e.toString());
            if (e instanceof CorruptedWebSocketFrameException corrupted && !ws.isClosed()) {
                // Netty's frame decoder refused a frame (reserved bits or opcode, a bad control frame,
                // an invalid close frame, a frame over ws.max-message-size…), and Vert.x drops the TCP
                // connection right after this handler, without a close frame: say why first. (When a
                // valid frame came in the same read, Vert.x holds this write back until the read
                // completes, which is too late: the client then sees 1006. Vert.x 5.0 offers no flush.)
                closeNow(ws, session, closeReason(corrupted));
            }
        });
        ws.closeHandler(v -> {
            session.transportClosed();
            onClosed.run();
        });
    }

    /** Closes on this event loop, before anything else is read or written (session.close only schedules it). */
    private static void closeNow(ServerWebSocket ws, VertxSession session, CloseReason reason) {
        session.close(reason);
        if (!ws.isClosed()) {
            ws.close((short) reason.code(), reason.reason());
        }
    }

    /** The close code for a frame Netty refused: its own status when Herald has that code, else 1002. */
    private static CloseReason closeReason(CorruptedWebSocketFrameException e) {
        int code = e.closeStatus() == null ? 0 : e.closeStatus().code();
        if (code == CloseReason.MESSAGE_TOO_BIG.code()) {
            return CloseReason.MESSAGE_TOO_BIG;
        }
        if (code == CloseReason.INVALID_PAYLOAD.code()) {
            return CloseReason.INVALID_PAYLOAD;
        }
        return CloseReason.WEBSOCKET_PROTOCOL_ERROR;
    }

    private void sweepUnauthenticated() {
        Instant deadline = clock.instant().minus(config.authTimeout());
        open.forEach((session, entry) -> {
            Instant since = entry.connection().awaitingAuthSince();
            if (since != null && since.isBefore(deadline)) {
                session.close(CloseReason.AUTH_TIMEOUT);
            }
        });
    }

    /** One connection's heartbeat (once per {@code ws.heartbeat}, in its slice's turn): closed if silent too long, else pinged. */
    private void heartbeat(VertxSession session) {
        if (System.nanoTime() - session.lastSeenNanos() > config.idleTimeout().toNanos()) {
            log.debug("connection {} silent for {}; closing", session.id(), config.idleTimeout());
            session.close(CloseReason.HEARTBEAT_TIMEOUT);
        } else {
            session.ping();
        }
    }

    /** How many distinct event loops hold the connections open now (they spread over the HTTP servers' loops). */
    public int eventLoopsInUse() {
        return (int) open.keySet().stream().map(VertxSession::eventLoop).distinct().count();
    }

    /** Connections currently open (authenticated or not). */
    public int openConnections() {
        return open.size();
    }

    /** Shutdown: closes every connection with 1001 (going away). */
    public void closeAll(CloseReason reason) {
        for (VertxSession session : open.keySet()) {
            session.close(reason);
        }
    }
}
