package dev.herald.server.net;

import dev.herald.core.error.ErrorCode;
import dev.herald.server.config.HttpConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.json.JsonObject;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * Keeps HTTP connections from holding sockets they do not use ({@link HttpConfig}): each accepted connection
 * is watched from accept until it becomes a WebSocket (101) or closes.
 * <ul>
 *   <li><b>Header timeout</b>: the request line and headers must arrive within {@code http.header-timeout},
 *       counted from accept for the first request and from the first byte of each later one (so a slowloris
 *       sender that trickles header lines is cut off however often it sends). Answered {@code 408
 *       request_timeout} in the JSON envelope, then closed.</li>
 *   <li><b>Idle timeout</b>: a keep-alive connection silent for {@code http.idle-timeout} after a response is
 *       closed (no answer: no request is under way).</li>
 *   <li><b>Upgrade timeout</b>: a request with an {@code Upgrade} header must be answered within
 *       {@code http.upgrade-timeout}; then the socket is closed.</li>
 *   <li><b>Per-address cap</b>: one client IP holds at most {@code http.max-connections-per-address} TCP
 *       connections; the next is answered {@code 429 too_many_connections_from_address} and closed.</li>
 *   <li><b>Eviction at the socket cap</b>: when the node's TCP cap is reached ({@code ConnectionLimit}),
 *       {@link #evictOldestIdle} closes the oldest connection that is waiting for a request (one that never sent a
 *       complete request first, then keep-alive ones), so {@code /health} and the API are still served.</li>
 * </ul>
 * Per request the cost is a state change in two fields; one periodic {@link #sweep} (a fraction of the shortest
 * timeout) finds the connections past their deadline and closes them on their own event loop. A timeout is
 * thus enforced within a quarter of it late at most. Thread-safe: every event loop calls it.
 */
public final class HttpConnectionGuard {
    /** Pipeline names of the two handlers added to every HTTP connection. */
    static final String BYTES_HANDLER = "herald-http-bytes";
    static final String STATE_HANDLER = "herald-http-state";
    private static final long MIN_SWEEP_MILLIS = 50;
    private static final long MAX_SWEEP_MILLIS = 1000;

    private final long headerTimeoutNanos;
    private final long idleTimeoutNanos;
    private final long upgradeTimeoutNanos;
    private final int maxPerAddress;
    /** Watched connections in accept order (oldest first): the sweep's and the eviction's walk. */
    private final ConcurrentLinkedQueue<Watched> watched = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final LongAdder headerTimeouts = new LongAdder();
    private final LongAdder idleTimeouts = new LongAdder();
    private final LongAdder upgradeTimeouts = new LongAdder();
    private final LongAdder refusedPerAddress = new LongAdder();
    private final LongAdder evicted = new LongAdder();

    public HttpConnectionGuard(HttpConfig config) {
        this.headerTimeoutNanos = config.headerTimeout().toNanos();
        this.idleTimeoutNanos = config.idleTimeout().toNanos();
        this.upgradeTimeoutNanos = config.upgradeTimeout().toNanos();
        this.maxPerAddress = config.maxConnectionsPerAddress();
    }

    /** How often {@link #sweep} should run: a quarter of the shortest timeout, within 50 ms to 1 s. */
    public long sweepIntervalMillis() {
        long shortest = Math.min(headerTimeoutNanos, Math.min(idleTimeoutNanos, upgradeTimeoutNanos));
        return Math.clamp(TimeUnit.NANOSECONDS.toMillis(shortest) / 4, MIN_SWEEP_MILLIS, MAX_SWEEP_MILLIS);
    }

    /**
     * A TCP connection was accepted (on its event loop, its HTTP pipeline in place): refused with 429 when its
     * address holds the maximum, else admitted by {@code admitTcp} (the node's cap, which may call
     * {@link #evictOldestIdle}) and watched. Returns whether it was admitted.
     */
    public boolean admit(Channel channel, Predicate<Channel> admitTcp) {
        InetAddress address = address(channel);
        if (address != null && !takeAddressSlot(address)) {
            refusedPerAddress.increment();
            answerAndClose(channel.pipeline().firstContext(), ErrorCode.TOO_MANY_CONNECTIONS_FROM_ADDRESS,
                    "this address holds its maximum of " + maxPerAddress + " connections (http.max-connections-per-address)");
            return false;
        }
        if (!admitTcp.test(channel)) {
            if (address != null) {
                releaseAddressSlot(address);
            }
            return false;
        }
        if (address != null) {
            channel.closeFuture().addListener(f -> releaseAddressSlot(address));
        }
        Watched w = new Watched(channel, System.nanoTime() + headerTimeoutNanos);
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addFirst(BYTES_HANDLER, w.bytes);
        if (pipeline.get("handler") != null) {
            pipeline.addBefore("handler", STATE_HANDLER, w);
        } else {
            pipeline.addLast(STATE_HANDLER, w);
        }
        watched.add(w);
        return true;
    }

    private static InetAddress address(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }

    private boolean takeAddressSlot(InetAddress address) {
        boolean[] taken = {false};
        perAddress.compute(address, (a, count) -> {
            AtomicInteger c = count == null ? new AtomicInteger() : count;
            if (c.get() < maxPerAddress) {
                c.incrementAndGet();
                taken[0] = true;
            }
            return c.get() == 0 ? null : c;
        });
        return taken[0];
    }

    private void releaseAddressSlot(InetAddress address) {
        perAddress.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    /**
     * Closes the oldest connection that waits for a request: first one that never sent a complete request, else
     * a keep-alive one between requests. Never a WebSocket, nor a connection with a request under way. Returns
     * whether one was closed (its slot is free once the close completes). Any thread.
     */
    public boolean evictOldestIdle() {
        Watched idle = null;
        for (Watched w : watched) {
            int state = w.state.get();
            if (state == Watched.FIRST_HEAD && w.state.compareAndSet(Watched.FIRST_HEAD, Watched.DONE)) {
                return evict(w);
            }
            if (state == Watched.IDLE && idle == null) {
                idle = w;
            }
        }
        return idle != null && idle.state.compareAndSet(Watched.IDLE, Watched.DONE) && evict(idle);
    }

    private boolean evict(Watched w) {
        evicted.increment();
        w.channel.close();
        return true;
    }

    /** Closes the connections past their deadline (each on its own event loop) and forgets the finished ones. */
    public void sweep() {
        long now = System.nanoTime();
        for (Iterator<Watched> it = watched.iterator(); it.hasNext(); ) {
            Watched w = it.next();
            int state = w.state.get();
            if (state == Watched.DONE || !w.channel.isOpen()) {
                it.remove();
            } else if (w.deadlineNanos - now <= 0 && state != Watched.BUSY) {
                w.channel.eventLoop().execute(() -> w.expire(System.nanoTime()));
            }
        }
    }

    /** Connections watched now (HTTP connections not yet closed nor upgraded, at the last sweep). */
    public int watchedConnections() {
        return (int) watched.stream().filter(w -> w.state.get() != Watched.DONE).count();
    }

    public LongAdder headerTimeouts() {
        return headerTimeouts;
    }

    public LongAdder idleTimeouts() {
        return idleTimeouts;
    }

    public LongAdder upgradeTimeouts() {
        return upgradeTimeouts;
    }

    public LongAdder refusedPerAddress() {
        return refusedPerAddress;
    }

    public LongAdder evicted() {
        return evicted;
    }

    /**
     * Writes a complete HTTP/1.1 error answer in the JSON envelope straight to the socket (under the HTTP codec:
     * no request is under way, or the one under way is abandoned), then closes.
     */
    static void answerAndClose(ChannelHandlerContext ctx, ErrorCode code, String message) {
        byte[] body = new JsonObject().put("error", new JsonObject().put("code", code.code()).put("message", message))
                .encode().getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + code.httpStatus() + " " + HttpResponseStatus.valueOf(code.httpStatus()).reasonPhrase() + "\r\n"
                + "Content-Type: application/json; charset=utf-8\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        ByteBuf answer = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body);
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * One connection's state. Sits in the pipeline under Vert.x's handler (after the HTTP codec): it sees each
     * decoded request head coming in and each response's last part going out. {@link #bytes} sits first in the
     * pipeline and sees raw bytes (the start of a next request) and writes raw answers. State changes are CASes:
     * the eviction (any thread) and the connection's own loop may race, and DONE wins.
     */
    final class Watched extends ChannelDuplexHandler {
        /** Waiting for the first request's head (since accept): header timeout; evictable first. */
        static final int FIRST_HEAD = 0;
        /** Keep-alive, between requests, nothing received: idle timeout; evictable. */
        static final int IDLE = 1;
        /** A later request started (bytes came) but its head is incomplete: header timeout. */
        static final int HEAD = 2;
        /** A request is being served: no deadline here (the routes have theirs). */
        static final int BUSY = 3;
        /** A request asked for an Upgrade and waits for its answer: upgrade timeout. */
        static final int UPGRADING = 4;
        /** Upgraded, closed, evicted or timed out: no longer watched. */
        static final int DONE = 5;

        final Channel channel;
        final AtomicInteger state = new AtomicInteger(FIRST_HEAD);
        volatile long deadlineNanos;
        /** Requests whose head was read and whose response has not ended (HTTP/1.1 pipelining): loop-only. */
        private int pending;
        private ChannelHandlerContext bytesContext;
        final ChannelInboundHandlerAdapter bytes = new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                bytesContext = ctx;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (state.get() == IDLE) {
                    deadlineNanos = System.nanoTime() + headerTimeoutNanos;
                    state.compareAndSet(IDLE, HEAD);
                }
                ctx.fireChannelRead(msg);
            }
        };

        Watched(Channel channel, long deadlineNanos) {
            this.channel = channel;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                pending++;
                int now = state.get();
                if (now != DONE && now != UPGRADING) {
                    if (request.headers().contains(HttpHeaderNames.UPGRADE)) {
                        deadlineNanos = System.nanoTime() + upgradeTimeoutNanos;
                        state.compareAndSet(now, UPGRADING);
                    } else {
                        state.compareAndSet(now, BUSY);
                    }
                }
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof HttpResponse response && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                state.set(DONE); // a WebSocket now: its own deadlines (ws.auth-timeout, ws.idle-timeout) take over
                ctx.write(msg, promise);
                ChannelPipeline pipeline = ctx.pipeline();
                pipeline.remove(this);
                pipeline.remove(bytes);
                return;
            }
            boolean interim = msg instanceof HttpResponse response
                    && response.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL; // 100 Continue
            if (msg instanceof LastHttpContent && !interim && pending > 0 && --pending == 0) {
                int now = state.get();
                if (now == BUSY || now == UPGRADING) {
                    deadlineNanos = System.nanoTime() + idleTimeoutNanos;
                    state.compareAndSet(now, IDLE);
                }
            }
            super.write(ctx, msg, promise);
        }

        /** On the connection's event loop: closes it if it is still past its deadline in a state that has one. */
        void expire(long now) {
            int was = state.get();
            if (was == DONE || was == BUSY || deadlineNanos - now > 0 || !state.compareAndSet(was, DONE)) {
                return;
            }
            switch (was) {
                case FIRST_HEAD, HEAD -> {
                    headerTimeouts.increment();
                    answerAndClose(bytesContext, ErrorCode.REQUEST_TIMEOUT,
                            "the request line and headers did not arrive within http.header-timeout");
                }
                case IDLE -> {
                    idleTimeouts.increment();
                    channel.close();
                }
                default -> {
                    upgradeTimeouts.increment();
                    channel.close();
                }
            }
        }
    }
}
