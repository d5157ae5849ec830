package dev.herald.server.ws;

import dev.herald.core.LogSafe;
import dev.herald.core.session.CloseReason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.WebSocketFrameType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The last handler of an upgraded channel's pipeline, after Netty's frame decoder and encoder: Herald's
 * WebSocket, in place of Vert.x's (whose per-connection objects, a 4 KiB queue chunk among them, are then
 * unreachable). It reads the frames Netty decoded:
 * <ul>
 *   <li>every frame marks the session seen (the heartbeat's idle check);</li>
 *   <li>text, binary and continuation frames go to a {@link MessageAssembler} (at most {@code ws.max-message-size},
 *       text strictly UTF-8); a broken message closes with 1002, 1007 or 1009 (after what was already queued
 *       for the peer); nothing is read after a close frame;</li>
 *   <li>a ping is answered with a pong carrying its payload, queued behind what was already queued for the peer
 *       and counted against its bounded send queue; more than {@link WebSocketOptions#MAX_PINGS_PER_WINDOW} pings
 *       in {@link WebSocketOptions#PING_WINDOW_SECONDS} close the connection with 4029; a pong needs nothing more;</li>
 *   <li>the peer's close is echoed and the TCP connection closed ({@link NettySession#peerClosed});</li>
 *   <li>a frame Netty's decoder refused ({@link CorruptedWebSocketFrameException}: reserved bits or opcode, a bad
 *       control frame or close code, a frame over the limit) is answered with a close frame carrying the matching
 *       code (after what was already queued for the peer), then the connection is dropped;</li>
 *   <li>the channel going inactive ends the session and runs {@code onClosed}, exactly once.</li>
 * </ul>
 * The frames of one TCP read are handled one after the other, in order, each answered before the next is read;
 * a close caused by one of them goes out after the answers to those before it ({@link NettySession#sendClose}).
 * One per connection (it holds the connection's assembler); runs on the channel's event loop only.
 */
final class WebSocketFrameHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(WebSocketFrameHandler.class);

    private final NettySession session;
    private final MessageAssembler messages;
    private Runnable onClosed;
    /** Start of the current ping window ({@link System#nanoTime}) and the pings counted in it. */
    private long pingWindowStart;
    private int pingsInWindow;

    WebSocketFrameHandler(NettySession session, MessageAssembler messages, Runnable onClosed) {
        this.session = session;
        this.messages = messages;
        this.onClosed = onClosed;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            ended(); // the socket closed before this handler took over: channelInactive will not come here
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ReferenceCountUtil.release(msg); // e.g. the end of the upgrade request, already handled by Vert.x
            return;
        }
        try {
            session.markSeen();
            read(ctx, frame);
        } finally {
            frame.release();
        }
    }

    private void read(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof PingWebSocketFrame) {
            if (session.isClosed() || session.closeSent()) {
                return;
            }
            if (!pingAllowed(System.nanoTime())) {
                closeNow(CloseReason.TOO_MANY_PINGS, false);
                return;
            }
            session.sendPong(ByteBufUtil.getBytes(frame.content()));
            return;
        }
        if (frame instanceof CloseWebSocketFrame) {
            session.peerClosed(frame.content());
            return;
        }
        WebSocketFrameType type = frame instanceof TextWebSocketFrame ? WebSocketFrameType.TEXT
                : frame instanceof BinaryWebSocketFrame ? WebSocketFrameType.BINARY
                : frame instanceof ContinuationWebSocketFrame ? WebSocketFrameType.CONTINUATION
                : null;
        if (type == null || session.isClosed() || session.closeSent()) {
            return; // a pong (seen is all it means), or data after a close: nothing is read after a close
        }
        CloseReason failure = messages.frame(type, frame.isFinalFragment(), frame.content());
        if (failure != null) {
            closeNow(failure, false);
        }
    }

    /** Counts one ping; false once the window holds more than {@link WebSocketOptions#MAX_PINGS_PER_WINDOW}. */
    private boolean pingAllowed(long now) {
        if (pingsInWindow == 0 || now - pingWindowStart >= PING_WINDOW_NANOS) {
            pingWindowStart = now;
            pingsInWindow = 0;
        }
        return ++pingsInWindow <= WebSocketOptions.MAX_PINGS_PER_WINDOW;
    }

    private static final long PING_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(WebSocketOptions.PING_WINDOW_SECONDS);

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection {}: {}", session.id(), LogSafe.value(cause));
        if (cause instanceof CorruptedWebSocketFrameException corrupted) {
            // Netty's decoder refused a frame and reads nothing more from this connection: say why, then drop it.
            closeNow(closeReason(corrupted), true);
        } else {
            ctx.close(); // an I/O error (reset by peer…): the socket is gone or unusable
        }
    }

    /**
     * Closes on this event loop, before anything else is read ({@code session.close} only schedules it); what
     * was already queued for the peer is written before the close frame.
     */
    private void closeNow(CloseReason reason, boolean dropAfter) {
        session.close(reason);
        session.failConnection(reason, dropAfter);
    }

    /** The close code for a frame Netty refused: its own status when Herald has that code, else 1002. */
    static CloseReason closeReason(CorruptedWebSocketFrameException e) {
        int code = e.closeStatus() == null ? 0 : e.closeStatus().code();
        if (code == CloseReason.MESSAGE_TOO_BIG.code()) {
            return CloseReason.MESSAGE_TOO_BIG;
        }
        if (code == CloseReason.INVALID_PAYLOAD.code()) {
            return CloseReason.INVALID_PAYLOAD;
        }
        return CloseReason.WEBSOCKET_PROTOCOL_ERROR;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ended();
    }

    /** The socket is closed: ends the session and gives the connection's slot back, once. */
    private void ended() {
        Runnable closed = onClosed;
        if (closed == null) {
            return;
        }
        onClosed = null;
        session.channelClosed();
        session.transportClosed();
        closed.run();
    }
}
