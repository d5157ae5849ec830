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
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
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
 * authenticate in time (4002), and the heartbeat (a ping every {@code ws.heartbeat}; a connection
 * silent for {@code ws.idle-timeout} is closed with 4010 and removed).
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
    private final AtomicLong connectionSeq = new AtomicLong();
    /** Every open connection, authenticated or not: for the sweeps and for shutdown. */
    private final Map<VertxSession, ClientConnection> open = new ConcurrentHashMap<>();
    private long authTimer = -1;
    private long heartbeatTimer = -1;

    public WebSocketEndpoint(Vertx vertx, Hub hub, HubStats stats, Authenticator authenticator, HeraldConfig config,
                             Clock clock, BooleanSupplier draining, Inbox inbox) {
        this.vertx = vertx;
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
    }

    public void startSweeps() {
        long authPeriod = Math.max(100, Math.min(1000, config.authTimeout().toMillis() / 4));
        authTimer = vertx.setPeriodic(authPeriod, id -> sweepUnauthenticated());
        heartbeatTimer = vertx.setPeriodic(config.heartbeat().toMillis(), id -> heartbeat());
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
        String token = request.getParam("token");
        String uid = request.getParam("uid");
        String since = request.getParam("since");
        request.toWebSocket().onSuccess(ws -> accept(ws, token, uid, since))
                .onFailure(e -> log.debug("WebSocket upgrade failed from {}: {}", request.remoteAddress(), e.getMessage()));
    }

    private void accept(ServerWebSocket ws, String token, String uid, String since) {
        String id = "c" + Long.toString(connectionSeq.incrementAndGet(), 36) + "-" + config.nodeId();
        VertxSession session = new VertxSession(id, ws, vertx.getOrCreateContext(), config.sendQueueBytes(), stats, Instant.now(clock));
        ClientConnection connection = new ClientConnection(session, hub, authenticator, parser, limits, config.nodeId(), inbox);
        open.put(session, connection);
        ws.textMessageHandler(text -> {
            session.markSeen();
            connection.onText(text);
        });
        ws.binaryMessageHandler(data -> {
            session.markSeen();
            connection.onBinary();
        });
        ws.pongHandler(data -> session.markSeen());
        ws.exceptionHandler(e -> {
            log.debug("connection {}: {}", id, e.toString());
            if (isMessageTooBig(e) && !ws.isClosed()) {
                // Netty refuses an oversized frame and Vert.x then drops the TCP connection without a
                // close frame (the client sees 1006); an oversized fragmented message is only reported
                // here and its remaining fragments would be delivered as a new message. Either way,
                // close with the documented 1009 now, on this event loop (session.close only schedules it).
                session.close(CloseReason.MESSAGE_TOO_BIG);
                ws.close((short) CloseReason.MESSAGE_TOO_BIG.code(), CloseReason.MESSAGE_TOO_BIG.reason());
            }
        });
        ws.closeHandler(v -> {
            session.transportClosed();
            open.remove(session);
        });
        try {
            connection.start(token, uid, since);
        } catch (RuntimeException e) {
            log.error("connection {} failed to start", id, e);
            session.close(CloseReason.SERVER_ERROR);
        }
    }

    /** A frame over ws.max-message-size (Netty's decoder) or a message that outgrew it (Vert.x's aggregator). */
    private static boolean isMessageTooBig(Throwable e) {
        if (e instanceof CorruptedWebSocketFrameException corrupted) {
            return corrupted.closeStatus() != null && corrupted.closeStatus().code() == CloseReason.MESSAGE_TOO_BIG.code();
        }
        return e instanceof IllegalStateException && e.getMessage() != null
                && e.getMessage().contains("overflow max message size");
    }

    private void sweepUnauthenticated() {
        Instant deadline = clock.instant().minus(config.authTimeout());
        open.forEach((session, connection) -> {
            Instant since = connection.awaitingAuthSince();
            if (since != null && since.isBefore(deadline)) {
                session.close(CloseReason.AUTH_TIMEOUT);
            }
        });
    }

    private void heartbeat() {
        long idleNanos = config.idleTimeout().toNanos();
        long now = System.nanoTime();
        for (VertxSession session : open.keySet()) {
            if (now - session.lastSeenNanos() > idleNanos) {
                log.debug("connection {} silent for {}; closing", session.id(), config.idleTimeout());
                session.close(CloseReason.HEARTBEAT_TIMEOUT);
            } else {
                session.ping();
            }
        }
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
