package dev.herald.server.ws;

import dev.herald.core.hub.HubStats;
import dev.herald.server.config.ConfigSources;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.config.Setting;
import dev.herald.server.net.VertxInternals;
import io.netty.channel.Channel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test only: an echo server over Herald's real WebSocket stack, the target of the Autobahn|Testsuite
 * fuzzing client ({@link AutobahnConformanceIT}).
 *
 * <p>Everything below the application is Herald's own: the Vert.x server options
 * ({@link WebSocketOptions}, so the same frame and message limits, closing timeout and compression
 * settings), the {@link NettySession} with its bounded send queue, and {@link WebSocketEndpoint#wire}
 * (Herald's own WebSocket handler on the Netty channel: message assembly, UTF-8 validation, the
 * 1002/1007/1009 closes, ping/pong and the closing handshake). Only what happens to a complete message
 * differs: it is sent straight back, text as text and binary as binary — where Herald parses text as
 * its protocol and closes on binary with 1003. This class lives in {@code src/test}, so it is never
 * part of the server jar.
 *
 * <p>Thread-safe; {@link #close} stops it. {@link #main} runs one by hand: {@code port [ws.max-message-size]}.
 */
public final class AutobahnEchoServer implements AutoCloseable {
    /** The WebSocket path, the same as Herald's. */
    public static final String PATH = "/ws";

    private final HeraldConfig config;
    private final Vertx vertx;
    private final HttpServer http;
    private final HubStats stats = new HubStats();
    private final AtomicLong connectionSeq = new AtomicLong();
    private final Set<NettySession> open = ConcurrentHashMap.newKeySet();

    private AutobahnEchoServer(HeraldConfig config) {
        this.config = config;
        this.vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        Router router = Router.router(vertx);
        router.get(PATH).handler(ctx -> ctx.request().toWebSocket().onSuccess(ws -> {
            Channel channel = VertxInternals.channel(ctx.request());
            NettySession session = new NettySession("e" + connectionSeq.incrementAndGet(), channel,
                    config.sendQueueBytes(), stats, Instant.now());
            open.add(session);
            WebSocketEndpoint.wire(channel, session, config.maxMessageSize(), new MessageAssembler.Sink() {
                @Override
                public void text(String text) {
                    session.send(text.getBytes(StandardCharsets.UTF_8));
                }

                @Override
                public void binary(byte[] data) {
                    session.sendBinary(data);
                }
            }, () -> open.remove(session));
        }));
        try {
            this.http = vertx.createHttpServer(WebSocketOptions.httpServerOptions(config))
                    .requestHandler(router).listen().await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("echo server cannot listen on " + config.host() + ":" + config.port(), e);
        }
    }

    /** Starts on {@code config}'s host and port (0: any free port); only the ws.* settings matter. */
    public static AutobahnEchoServer start(HeraldConfig config) {
        return new AutobahnEchoServer(config);
    }

    /** A configuration with Herald's defaults, on 127.0.0.1 and {@code port}, with the given overrides. */
    public static HeraldConfig config(int port, Map<Setting, String> overrides) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.HOST, "127.0.0.1");
        flags.put(Setting.PORT, Integer.toString(port));
        flags.put(Setting.NODE_ID, "autobahn");
        flags.putAll(overrides);
        return new ConfigSources().flags(flags).build();
    }

    public HeraldConfig config() {
        return config;
    }

    public URI uri() {
        return URI.create("ws://" + config.host() + ":" + http.actualPort() + PATH);
    }

    /** Connections whose socket has not closed yet. */
    public int openConnections() {
        return open.size();
    }

    @Override
    public void close() {
        try {
            http.close().await(10, TimeUnit.SECONDS);
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("echo server did not stop", e);
        }
    }

    /** {@code AutobahnEchoServer port [ws.max-message-size]}: runs until the process is stopped (Vert.x's threads keep it alive). */
    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: AutobahnEchoServer port [ws.max-message-size]");
            System.exit(2);
        }
        Map<Setting, String> overrides = args.length == 2 ? Map.of(Setting.WS_MAX_MESSAGE_SIZE, args[1]) : Map.of();
        AutobahnEchoServer server = start(config(Integer.parseInt(args[0]), overrides));
        System.out.println("echo server on " + server.uri() + " (ws.max-message-size " + server.config().maxMessageSize() + " bytes)");
    }
}
