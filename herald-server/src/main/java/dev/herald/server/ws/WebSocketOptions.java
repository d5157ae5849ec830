package dev.herald.server.ws;

import dev.herald.server.config.HeraldConfig;
import io.vertx.core.http.HttpServerOptions;

/**
 * The Vert.x server options Herald listens with: the one place that decides how the HTTP and
 * WebSocket transport behaves (frame and message limits, compression, the closing handshake).
 * {@code HeraldServer} uses it, and so does the test-only Autobahn echo server, so the conformance
 * suite exercises exactly these settings.
 */
public final class WebSocketOptions {
    /**
     * Seconds Herald waits for the peer's close frame after sending its own before it drops the TCP
     * connection ({@link NettySession}; also given to Vert.x, which runs the socket until the upgrade):
     * a client that never answers costs at most this long.
     */
    public static final int CLOSING_TIMEOUT_SECONDS = 5;

    /**
     * WebSocket ping frames a peer may send per {@link #PING_WINDOW_SECONDS} window; one more closes the
     * connection with 4029 (too many pings). Each ping costs a pong; clients ping every few seconds at most
     * (the browser SDK sends none: it pings with JSON frames), so only a flood reaches this.
     */
    public static final int MAX_PINGS_PER_WINDOW = 100;
    /** The window {@link #MAX_PINGS_PER_WINDOW} counts over, in seconds (fixed windows, from the first ping). */
    public static final int PING_WINDOW_SECONDS = 10;

    private WebSocketOptions() {
    }

    /** Options for a server on {@code config.host()}:{@code config.port()}. A new, mutable instance per call. */
    public static HttpServerOptions httpServerOptions(HeraldConfig config) {
        return new HttpServerOptions()
                .setHost(config.host()).setPort(config.port())
                // One limit for a single frame and for a whole fragmented message: both close with 1009.
                .setMaxWebSocketFrameSize(config.maxMessageSize())
                .setMaxWebSocketMessageSize(config.maxMessageSize())
                .setWebSocketClosingTimeout(CLOSING_TIMEOUT_SECONDS)
                // No gzip on HTTP responses.
                .setCompressionSupported(false)
                // No WebSocket compression (permessage-deflate, deflate-frame), though Vert.x offers it by
                // default. With it on, Vert.x lets reserved bits through on every connection, also those
                // that negotiated no extension, so a frame with RSV bits set was taken as plain data instead
                // of failing with 1002 (Autobahn cases 3.x). It would also cost a zlib state per connection
                // (~300 KiB with context takeover) and inflates frames without a size limit. Herald's
                // frames are small JSON: little to gain.
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                // No h2c upgrade: with Vert.x 5.0 an upgraded response over ~16 KiB sometimes never completes
                // (seen with the JDK HttpClient, whose default is HTTP/2). Clients fall back to HTTP/1.1.
                .setHttp2ClearTextEnabled(false)
                .setTcpNoDelay(true)
                // Every HTTP response is written on its request's event loop (ApiRoutes.async hops back to it),
                // so Vert.x may write straight to the channel instead of through a multi-producer queue: each
                // connection's queue allocates a 1,024-slot chunk (~4.6 KB) up front, and the HTTP connection
                // under every WebSocket lives as long as the WebSocket. In this mode a response written from
                // another thread fails with IllegalStateException("Only the context thread can write a message").
                .setStrictThreadMode(true);
    }
}
