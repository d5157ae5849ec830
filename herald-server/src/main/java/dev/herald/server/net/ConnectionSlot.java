package dev.herald.server.net;

import io.netty.channel.Channel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One taken slot of {@code ws.max-connections} (WebSocket and SSE connections alike), owned by one connection attempt from the moment it is taken: whoever
 * ends the connection's path (a refused or failed upgrade, a socket closed mid-handshake, a session that
 * ends) calls {@link #release}, and only the first call gives the slot back. Every path may call it, so no
 * path can forget it and none can give back a slot twice. {@link #releaseWhenClosed} ties it to the socket
 * as the last resort: a slot never outlives its TCP connection.
 *
 * <p>Thread-safe: the release may come from any thread.
 */
public final class ConnectionSlot {
    private final ConnectionLimit limit;
    /** Set once, through {@link #RELEASED} (a plain field: an {@code AtomicBoolean} would be one more object per connection). */
    private volatile boolean released;
    private static final VarHandle RELEASED;
    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(ConnectionSlot.class, "released", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    ConnectionSlot(ConnectionLimit limit) {
        this.limit = limit;
    }

    /** Gives the slot back; every call after the first does nothing. */
    public void release() {
        if (RELEASED.compareAndSet(this, false, true)) {
            limit.giveBack();
        }
    }

    /** Releases the slot when {@code channel} closes, if nothing released it before. */
    public void releaseWhenClosed(Channel channel) {
        channel.closeFuture().addListener(f -> release());
    }

    public boolean released() {
        return released;
    }
}
