package dev.herald.server.ws;

import dev.herald.core.LogSafe;
import dev.herald.core.auth.Authenticator;
import dev.herald.core.delivery.RecipientStore;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.connection.ClientConnection;
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
import dev.herald.server.net.VertxInternals;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /ws}: checks the Origin, upgrades, and wires a {@link NettySession} to a core
 * {@link ClientConnection}. Vert.x answers the upgrade; then Herald takes the channel over at the Netty
 * level ({@link #wire}): Vert.x's WebSocket handler leaves the pipeline, and with it every Vert.x object
 * of the connection (the HTTP connection, the WebSocket and its 4 KiB write-queue chunk, the handshake
 * request and response). Also runs the two per-node sweeps: closing connections that did not
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
    private final RecipientStore recipientStore;
    private final ConnectionLimit connectionLimit;
    private final AtomicLong connectionSeq = new AtomicLong();
    /** The one WebSocket version Herald speaks (RFC 6455). */
    static final String WEBSOCKET_VERSION = "13";
    private final OriginRefusals originRefusals = new OriginRefusals();
    /**
     * Every open connection, authenticated or not, in the heartbeat's slices: each tick pings one of them, so the pings
     * of a node are spread over the interval; the sweeps and shutdown walk them all. No other registry of the open
     * connections: a second map cost one more entry per idle connection.
     */
    private final HeartbeatWheel<Open> open;
    private long authTimer = -1;
    private long heartbeatTimer = -1;

    public WebSocketEndpoint(Vertx vertx, Hub hub, HubStats stats, Authenticator authenticator, HeraldConfig config,
                             Clock clock, BooleanSupplier draining, RecipientStore recipientStore, ConnectionLimit connectionLimit) {
        this.vertx = vertx;
        this.connectionLimit = connectionLimit;
        this.recipientStore = recipientStore;
        this.hub = hub;
        this.stats = stats;
        this.authenticator = authenticator;
        this.config = config;
        this.clock = clock;
        this.draining = draining;
        this.limits = new ProtocolLimits(config.maxTopicsPerConnection(), ProtocolLimits.DEFAULT_MAX_BAD_FRAMES,
                config.heartbeat(), config.authTimeout());
        this.originPolicy = new OriginPolicy(config.allowedOrigins(), authenticator.devMode());
        this.open = new HeartbeatWheel<>(config.heartbeat());
    }

    /**
     * An open connection: its session, its protocol state (whether it has logged in), and what its end gives back
     * ({@link #run}, once the socket closed). One object per connection rather than a record and a closing lambda:
     * 24 B less per idle connection.
     */
    private final class Open implements Runnable {
        final NettySession session;
        final ClientConnection connection;
        private final ConnectionSlot slot;
        /** The heartbeat slice it is in; set by {@link #accept} right after it entered the wheel. */
        int slice;

        Open(NettySession session, ClientConnection connection, ConnectionSlot slot) {
            this.session = session;
            this.connection = connection;
            this.slot = slot;
        }

        NettySession session() {
            return session;
        }

        ClientConnection connection() {
            return connection;
        }

        /** The socket closed: leaves the wheel and gives the connection's slot back. */
        @Override
        public void run() {
            open.remove(this, slice);
            slot.release();
        }
    }

    public void startSweeps() {
        long authPeriod = Math.max(100, Math.min(1000, config.authTimeout().toMillis() / 4));
        authTimer = vertx.setPeriodic(authPeriod, id -> sweepUnauthenticated());
        heartbeatTimer = vertx.setPeriodic(open.tickMillis(), id -> open.tick(this::heartbeat));
    }

    public void stopSweeps() {
        vertx.cancelTimer(authTimer);
        vertx.cancelTimer(heartbeatTimer);
    }

    /**
     * Route handler for {@code GET /ws}. Every refusal before the upgrade is a catalogued JSON error; the checks
     * that need no slot come first, then a {@link ConnectionSlot} is taken and owned by this upgrade until the
     * connection ends, whichever way it ends.
     */
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (draining.getAsBoolean()) {
            ErrorRenderer.render(ctx, ErrorCode.SHUTTING_DOWN.exception());
            return;
        }
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (!originPolicy.allows(origin, request.getHeader(HttpHeaders.HOST))) {
            originRefusals.refused(origin, request.remoteAddress());
            ErrorRenderer.render(ctx, ErrorCode.ORIGIN_NOT_ALLOWED.exception(
                    "this page's origin is not allowed to open a WebSocket here (ws.allowed-origins)"));
            return;
        }
        String connectionHeader = request.getHeader(HttpHeaders.CONNECTION);
        if (!"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))
                || connectionHeader == null || !connectionHeader.toLowerCase(java.util.Locale.ROOT).contains("upgrade")) {
            ErrorRenderer.render(ctx, ErrorCode.UPGRADE_REQUIRED.exception());
            return;
        }
        if (!WEBSOCKET_VERSION.equals(trimmed(request.getHeader("Sec-WebSocket-Version")))) {
            // RFC 6455 §4.4: a version the server does not speak is answered 426 with the versions it does
            ctx.response().putHeader("Sec-WebSocket-Version", WEBSOCKET_VERSION);
            ErrorRenderer.render(ctx, ErrorCode.UPGRADE_REQUIRED.exception(
                    "Herald speaks WebSocket version " + WEBSOCKET_VERSION + " (RFC 6455): send Sec-WebSocket-Version: 13"));
            return;
        }
        String key = trimmed(request.getHeader("Sec-WebSocket-Key"));
        if (key == null || key.isEmpty()) {
            ErrorRenderer.render(ctx, ErrorCode.INVALID_REQUEST.exception(
                    "a WebSocket upgrade needs a Sec-WebSocket-Key header (RFC 6455 §4.1)"));
            return;
        }
        ConnectQuery query;
        try {
            query = ConnectQuery.parse(request.query());
        } catch (HeraldException e) {
            log.debug("WebSocket upgrade from {} refused: {}", request.remoteAddress(), e.getMessage());
            ErrorRenderer.render(ctx, e);
            return;
        }
        ConnectionSlot slot = connectionLimit.tryAcquireWebSocket();
        if (slot == null) {
            // before the upgrade, so the refusal costs no session; and the socket is closed once the answer is
            // written (Vert.x keeps an HTTP/1.1 connection open despite the header), so its descriptor is free at once
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close").endHandler(v -> request.connection().close());
            ErrorRenderer.render(ctx, ErrorCode.TOO_MANY_CONNECTIONS.exception("this node holds its maximum of "
                    + connectionLimit.maxWebSockets() + " connections (ws.max-connections); retry on another node or later"));
            return;
        }
        try {
            Channel channel = VertxInternals.channel(request);
            slot.releaseWhenClosed(channel); // a socket closed mid-handshake may complete neither callback below
            request.toWebSocket().onSuccess(ws -> accept(channel, slot, query))
                    .onFailure(e -> {
                        slot.release();
                        log.debug("WebSocket upgrade failed from {}: {}", request.remoteAddress(), LogSafe.value(e.getMessage()));
                    });
        } catch (RuntimeException e) {
            slot.release();
            throw e; // the router's failure handler answers 500 and logs it: a bug, not the client's doing
        }
    }

    /** {@code GET /ws/origin}: whether the caller's Origin may open {@code /ws}, for the demo page's diagnosis (see {@link OriginCheck}). */
    public void checkOrigin(RoutingContext ctx) {
        OriginCheck.answer(ctx, originPolicy);
    }

    private static String trimmed(String header) {
        return header == null ? null : header.trim();
    }

    /**
     * Runs with {@code slot} taken; from here the connection owns it: it is given back when the socket closes,
     * and right away if the connection cannot even be set up.
     */
    private void accept(Channel channel, ConnectionSlot slot, ConnectQuery query) {
        String id = "c" + Long.toString(connectionSeq.incrementAndGet(), 36) + "-" + config.nodeId();
        NettySession session;
        ClientConnection connection;
        try {
            session = new NettySession(id, channel, config.sendQueueBytes(), stats, Instant.now(clock));
            connection = new ClientConnection(session, hub, authenticator, parser, limits, config.nodeId(), recipientStore);
        } catch (RuntimeException e) {
            log.error("connection {} could not be set up; closing it", id, e);
            channel.close();
            slot.release();
            return;
        }
        Open entry = new Open(session, connection, slot);
        entry.slice = open.add(entry);
        wire(channel, session, config.maxMessageSize(), MessageAssembler.Sink.of(connection), entry);
        try {
            connection.start(query.token(), query.uid(), query.since(), query.sinceAll());
        } catch (RuntimeException e) {
            log.error("connection {} failed to start", id, e);
            session.close(CloseReason.SERVER_ERROR);
        }
    }

    /**
     * {@link #wire} for a protocol spoken over Herald's transport by a {@link NettySession} subclass (the Pusher
     * endpoint): whole text messages go to {@code text}, a binary message to {@code binary}. Call on the channel's
     * event loop, right after the upgrade succeeded.
     */
    public static void wireText(Channel channel, NettySession session, int maxMessageBytes, Consumer<String> text,
                                Runnable binary, Runnable onClosed) {
        wire(channel, session, maxMessageBytes, new MessageAssembler.Sink() {
            @Override
            public void text(String message) {
                text.accept(message);
            }

            @Override
            public void binary(byte[] data) {
                binary.run();
            }
        }, onClosed);
    }

    /**
     * Wires an upgraded channel to its session, the same way for every Herald connection (a {@link ClientConnection}
     * behind {@code inbound}) and for the test-only Autobahn echo server, so the conformance suite runs
     * through this code: Vert.x's WebSocket handler ({@link VertxInternals#webSocketHandler}) is replaced by a
     * {@link WebSocketFrameHandler}, which reads the frames Netty's decoder produces: data frames are joined
     * into messages by a {@link MessageAssembler} (at most {@code maxMessageBytes}, text strictly UTF-8) and
     * given to {@code inbound}; a frame that breaks the WebSocket rules closes the connection with the matching
     * code (1002, 1007 or 1009); the socket closing ends the session and then runs {@code onClosed}.
     * Call on the channel's event loop, right after the upgrade succeeded (before any frame was read).
     *
     * <p>No Vert.x connection stays reachable from the channel afterwards: the replaced handler held the WebSocket
     * connection, and the HTTP connection was only reachable through it. (What remains is the close-future
     * promise each of them registered on the channel, ~100 B, which holds neither.) Vert.x still closes the
     * channel when its server closes: it tracks channels, not connections.
     */
    static void wire(Channel channel, NettySession session, int maxMessageBytes, MessageAssembler.Sink inbound,
                     Runnable onClosed) {
        ChannelPipeline pipeline = channel.pipeline();
        ChannelHandler vertxWebSocket = VertxInternals.webSocketHandler(pipeline);
        if (vertxWebSocket == null) {
            // The socket closed right after the upgrade (Netty has emptied its pipeline), or a Vert.x upgrade
            // changed the pipeline: either way nothing can be read here; end the session and free its slot.
            if (channel.isActive()) {
                log.error("no Vert.x WebSocket handler to replace in the pipeline {}; closing {}", pipeline.names(), session.id());
                channel.close();
            }
            session.transportClosed();
            onClosed.run();
            return;
        }
        pipeline.replace(vertxWebSocket, "herald-ws",
                new WebSocketFrameHandler(session, new MessageAssembler(maxMessageBytes, inbound), onClosed));
    }

    private void sweepUnauthenticated() {
        Instant deadline = clock.instant().minus(config.authTimeout());
        open.forEach(entry -> {
            NettySession session = entry.session();
            Instant since = entry.connection().awaitingAuthSince();
            if (since != null && since.isBefore(deadline) && !session.isClosed()) {
                log.debug("connection {} from {}: login refused with {}: no login within ws.auth-timeout ({})",
                        session.id(), session.remoteAddress(), CloseReason.AUTH_TIMEOUT.code(), config.authTimeout());
                session.close(CloseReason.AUTH_TIMEOUT);
            }
        });
    }

    /** One connection's heartbeat (once per {@code ws.heartbeat}, in its slice's turn): closed if silent too long, else pinged. */
    private void heartbeat(Open entry) {
        NettySession session = entry.session();
        if (System.nanoTime() - session.lastSeenNanos() > config.idleTimeout().toNanos()) {
            log.debug("connection {} silent for {}; closing", session.id(), dev.herald.core.message.Durations.format(config.idleTimeout()));
            session.close(CloseReason.HEARTBEAT_TIMEOUT);
        } else {
            session.ping();
        }
    }

    /** How many distinct event loops hold the connections open now (they spread over the HTTP servers' loops). */
    public int eventLoopsInUse() {
        Set<EventExecutor> loops = new HashSet<>();
        open.forEach(entry -> loops.add(entry.session().eventLoop()));
        return loops.size();
    }

    /** Connections currently open (authenticated or not). */
    public int openConnections() {
        return open.size();
    }

    /** A crash ({@code HeraldServer.halt}): drops every connection without a close frame, as the OS does for a killed process. */
    public void abortAll() {
        open.forEach(entry -> entry.session().abort());
    }

    /** Shutdown: closes every connection with 1001 (going away). */
    public void closeAll(CloseReason reason) {
        open.forEach(entry -> entry.session().close(reason));
    }
}
