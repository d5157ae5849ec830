package dev.herald.server.pusher;

import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Pusher protocol 7 connection, as a Herald {@link BaseSession}: its id is the Pusher {@code socket_id}, and once it
 * signed in ({@code pusher:signin}) it is bound to the user and registered in the hub like any Herald connection, so
 * Herald messages to the user reach it (on {@code #server-to-user-{id}}), presence lists it and a kick closes it.
 * Channel subscriptions are held by {@link PusherChannels}; this object only remembers which ones it has.
 *
 * <p>Thread safety: {@link #sendText} and {@link #send} may be called from any thread (Vert.x queues the write on the
 * socket's event loop). Writes are bounded: when the socket's write queue is full the connection is closed with 4100
 * (over capacity: reconnect with backoff) instead of buffering without limit.
 */
final class PusherConnection extends BaseSession {
    private final ServerWebSocket socket;
    /** The socket's TCP connection: {@link #abort} drops it without a close frame. */
    private final io.netty.channel.Channel channel;
    /** Channels this connection subscribed, with its presence member id ({@code ""} for other channels). */
    private final Map<String, String> channels = new ConcurrentHashMap<>();
    private final ClientEventRate clientEvents = new ClientEventRate();
    private volatile long lastSeenNanos = System.nanoTime();
    /**
     * Frames of channels whose {@code subscription_succeeded} is not sent yet (its presence snapshot is being read
     * from the cluster), held so the client reads them after it: a {@code member_added} that overtook the snapshot
     * would otherwise be wiped by it. Guarded by itself.
     */
    private final Map<String, List<String>> held = new HashMap<>();
    /** Past this many held frames the connection is closed as over capacity: the snapshot takes one Redis round trip. */
    static final int MAX_HELD_FRAMES = 1000;
    private volatile int closeCode;
    private volatile String closeMessage;

    PusherConnection(String socketId, ServerWebSocket socket, io.netty.channel.Channel channel, Instant connectedAt) {
        super(socketId, String.valueOf(socket.remoteAddress()), connectedAt);
        this.socket = socket;
        this.channel = channel;
    }

    /**
     * Drops the TCP connection at once, without a close frame: what the peer sees of a process that died. Any thread.
     * Below the pipeline: a {@code close()} through it passes Netty's WebSocket protocol handler, which sends a
     * 1000 close frame first.
     */
    void abort() {
        channel.eventLoop().execute(() -> channel.unsafe().close(channel.unsafe().voidPromise()));
    }

    String socketId() {
        return id();
    }

    Map<String, String> channels() {
        return channels;
    }

    ClientEventRate clientEvents() {
        return clientEvents;
    }

    void seen() {
        lastSeenNanos = System.nanoTime();
    }

    long lastSeenNanos() {
        return lastSeenNanos;
    }

    /** Holds the channel's frames until {@link #release}. */
    void hold(String channel) {
        synchronized (held) {
            held.put(channel, new ArrayList<>());
        }
    }

    /** Sends a frame of {@code channel}, or holds it while the channel's subscription is under way. */
    boolean sendOn(String channel, String frame) {
        synchronized (held) {
            List<String> frames = held.get(channel);
            if (frames == null) {
                return sendText(frame);
            }
            if (frames.size() >= MAX_HELD_FRAMES) {
                closeWith(4100, "over capacity: too many events while subscribing");
                return false;
            }
            frames.add(frame);
            return true;
        }
    }

    /** Sends {@code first} (the subscription's answer), then the frames held meanwhile, in order. */
    void release(String channel, List<String> first) {
        synchronized (held) {
            List<String> frames = held.remove(channel);
            first.forEach(this::sendText);
            if (frames != null) {
                frames.forEach(this::sendText);
            }
        }
    }

    /** Sends {@code answer} (a refusal) and drops the frames held for the channel: it was not subscribed after all. */
    void discard(String channel, String answer) {
        synchronized (held) {
            held.remove(channel);
            sendText(answer);
        }
    }

    /** Queues one Pusher frame; {@code false} when the connection is closed or was just closed as over capacity. */
    boolean sendText(String frame) {
        if (isClosed()) {
            return false;
        }
        try {
            if (socket.writeQueueFull()) {
                closeWith(4100, "over capacity: the client does not read fast enough");
                return false;
            }
            socket.writeTextMessage(frame);
            return true;
        } catch (IllegalStateException closedMeanwhile) {
            // the peer went away and the close handler has not run yet: this is that close, seen first
            transportClosed();
            return false;
        }
    }

    /**
     * A Herald message reaching this connection through the hub: to its user (sent on {@code #server-to-user-{id}})
     * or to everyone (sent without a channel, for pusher-js's global bindings). The frame is Herald's envelope.
     */
    @Override
    public boolean send(byte[] heraldFrame) {
        JsonObject envelope = new JsonObject(io.vertx.core.buffer.Buffer.buffer(heraldFrame));
        if (!"message".equals(envelope.getString("type"))) {
            return true; // no other Herald frame means anything to a Pusher client
        }
        PusherEvent event = PusherEvent.fromHeraldData(envelope.getValue("data"));
        if (socketId().equals(event.excludeSocket())) {
            return true;
        }
        String channel = envelope.containsKey("topic") ? envelope.getString("topic")
                : Boolean.TRUE.equals(envelope.getBoolean("all")) ? null : ChannelNames.USER_PREFIX + userId();
        return sendText(event.frame(channel));
    }

    /** Sends {@code pusher:error} with {@code code} and closes with it (a Pusher close code, 4000–4399). */
    void closeWith(int code, String message) {
        this.closeCode = code;
        this.closeMessage = message;
        tryClose(CloseReason.PROTOCOL_ERROR); // the reason is not used: closeTransport sends code and message
    }

    @Override
    protected void closeTransport(CloseReason reason) {
        int code = closeCode != 0 ? closeCode : pusherCode(reason);
        String message = closeMessage != null ? closeMessage : reason.reason();
        try {
            socket.writeTextMessage(PusherFrames.error(code, message));
            socket.close((short) code, message);
        } catch (IllegalStateException alreadyClosed) {
            // the peer closed first: nothing left to tell it
        }
    }

    /**
     * Herald's reasons in Pusher's ranges, so pusher-js does what the reason means: 4000–4099 do not reconnect,
     * 4100–4199 reconnect after a backoff, 4200–4299 reconnect at once.
     */
    static int pusherCode(CloseReason reason) {
        return switch (reason) {
            case GOING_AWAY, SERVER_ERROR -> 4200;
            case HEARTBEAT_TIMEOUT -> 4201;
            case SLOW_CONSUMER, TOO_MANY_CONNECTIONS, TOO_MANY_PINGS -> 4100;
            case KICKED, UNAUTHORIZED, FORBIDDEN -> 4009;
            default -> 4200;
        };
    }
}
