package dev.herald.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxHandler;

import java.nio.ByteBuffer;

/**
 * The only class that uses Vert.x's non-public API, so that a Vert.x upgrade has one place to re-check. Each
 * method says what Vert.x offers no public way to do. They were checked against Vert.x {@link #CHECKED_WITH}
 * ({@code VertxInternalsTest} fails when another version is on the class path, naming what to re-check):
 *
 * <ul>
 *   <li>{@code io.vertx.core.net.impl.ConnectionBase#channel()}: the Netty channel under an HTTP connection,
 *       which Herald takes over after the WebSocket upgrade and which the connection guards count;</li>
 *   <li>{@code io.vertx.core.net.impl.VertxHandler}: the class of Vert.x's handler in an upgraded channel's
 *       pipeline, which Herald replaces by its own WebSocket frame handler;</li>
 *   <li>{@code io.vertx.core.internal.buffer.BufferInternal#getByteBuf()}: a request body's bytes without a
 *       copy, for the strict UTF-8 check.</li>
 * </ul>
 *
 * Stateless and thread-safe.
 */
public final class VertxInternals {
    /** The vertx-core version whose internals these methods were read against (the root pom's {@code vertx.version}). */
    public static final String CHECKED_WITH = "5.0.5";

    private VertxInternals() { }

    /**
     * The Netty channel under an HTTP connection: for an upgraded request, the one its WebSocket then runs on.
     * Vert.x 5 has no public accessor (not even on a {@code ServerWebSocket} that vertx-web wrapped), but every
     * server connection is a {@link ConnectionBase}.
     *
     * @throws IllegalStateException when the connection is not one (a Vert.x upgrade changed that)
     */
    public static Channel channel(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            return base.channel();
        }
        throw new IllegalStateException("no Netty channel under " + connection.getClass().getName()
                + " (Vert.x internals changed: re-check VertxInternals)");
    }

    /** {@link #channel(HttpConnection)} of the request's connection. */
    public static Channel channel(HttpServerRequest request) {
        return channel(request.connection());
    }

    /**
     * Vert.x's own handler in an upgraded WebSocket channel's pipeline (the one that turns frames into
     * {@code ServerWebSocket} events), or {@code null} when the pipeline has none: the socket closed right
     * after the upgrade (Netty emptied the pipeline), or a Vert.x upgrade changed it.
     */
    public static ChannelHandler webSocketHandler(ChannelPipeline pipeline) {
        return pipeline.get(VertxHandler.class);
    }

    /** The bytes of a Vert.x buffer as a view, not a copy ({@code Buffer#getBytes} copies). Do not keep it. */
    public static ByteBuffer view(Buffer buffer) {
        ByteBuf bytes = ((BufferInternal) buffer).getByteBuf();
        return bytes.nioBuffer();
    }

    /** The Netty buffer under a Vert.x one (to read it in place: no copy, no NIO view object). */
    public static ByteBuf byteBuf(Buffer buffer) {
        return ((BufferInternal) buffer).getByteBuf();
    }
}
