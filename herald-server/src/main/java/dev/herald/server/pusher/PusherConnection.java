package dev.herald.server.pusher;

import dev.herald.core.hub.HubStats;
import dev.herald.core.session.CloseReason;
import dev.herald.core.session.DeliveryLane;
import dev.herald.server.ws.NettySession;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Pusher protocol 7 connection, as a Herald session: its id is the Pusher {@code socket_id}, and once it
 * signed in ({@code pusher:signin}) it is bound to the user and registered in the hub like any Herald connection, so
 * Herald messages to the user reach it (on {@code #server-to-user-{id}}), presence lists it and a kick closes it.
 * Channel subscriptions are held by {@link PusherChannels}; this object only remembers which ones it has.
 *
 * <p>The transport is Herald's own ({@link NettySession}): no Vert.x WebSocket stays behind per connection, and a
 * frame goes through the same bounded, lock-free send queue and per-event-loop drains as Herald's connections. A
 * channel event is encoded once for all subscribers ({@link #sendOn} takes the shared bytes); each subscriber's drain
 * writes its frames and flushes once. A client that does not read fills its queue ({@code ws.send-queue-size}) and
 * is closed with 4100 (over capacity: reconnect with backoff), its queue dropped: memory stays bounded and the
 * publisher never waits for it.
 *
 * <p>Thread safety: {@link #sendText}, {@link #sendOn} and {@link #send} may be called from any thread.
 */
final class PusherConnection extends NettySession {
    /** The socket's TCP connection: {@link #abortConnection} drops it without a close frame. */
    private final io.netty.channel.Channel channel;
    /**
     * Channels this connection subscribed, with its presence member id ({@code ""} for other channels). Sized for the
     * usual one or two channels (the default table holds 16 slots).
     */
    private final Map<String, String> channels = new ConcurrentHashMap<>(1);
    /** Made on the first client event: most connections never send one. Event loop only. */
    private ClientEventRate clientEvents;
    /**
     * Frames of channels whose {@code subscription_succeeded} is not sent yet (its presence snapshot is being read
     * from the cluster), held so the client reads them after it: a {@code member_added} that overtook the snapshot
     * would otherwise be wiped by it. Guarded by {@code this}; {@code null} while nothing is held (most of the time:
     * a channel whose snapshot is at hand is held and released within its subscription), so that a channel event
     * costs a subscriber no lock.
     */
    private volatile Map<String, List<byte[]>> held;
    /** Past this many held frames the connection is closed as over capacity: the snapshot takes one Redis round trip. */
    static final int MAX_HELD_FRAMES = 1000;
    private volatile int closeCode;
    private volatile String closeMessage;

    /** Call on the channel's event loop. */
    PusherConnection(String socketId, io.netty.channel.Channel channel, long sendQueueBytes, HubStats stats, Instant connectedAt) {
        super(socketId, channel, sendQueueBytes, stats, connectedAt);
        this.channel = channel;
    }

    /**
     * Drops the TCP connection at once, without a close frame: what the peer sees of a process that died. Any thread.
     * Below the pipeline, so that no handler in it writes anything first.
     */
    void abortConnection() {
        channel.eventLoop().execute(() -> channel.unsafe().close(channel.unsafe().voidPromise()));
    }

    /**
     * No lane: a Herald broadcast to everyone reaches this connection on the publishing thread, as its channel events
     * do (through the channel's bridge), so the two keep their publish order. On its event loop's lane a broadcast
     * would be walked later, behind a channel event published after it.
     */
    @Override
    public DeliveryLane lane() {
        return null;
    }

    String socketId() {
        return id();
    }

    Map<String, String> channels() {
        return channels;
    }

    /** Event loop only (client events are read there). */
    ClientEventRate clientEvents() {
        if (clientEvents == null) {
            clientEvents = new ClientEventRate();
        }
        return clientEvents;
    }

    /** Holds the channel's frames until {@link #release}. */
    synchronized void hold(String channel) {
        Map<String, List<byte[]>> frames = held;
        if (frames == null) {
            frames = new HashMap<>(2);
        }
        frames.put(channel, new ArrayList<>());
        held = frames;
    }

    /**
     * Sends a frame of {@code channel} ({@code frame}: the UTF-8 bytes, shared with the channel's other subscribers
     * and never changed), or holds it while the channel's subscription is under way.
     */
    boolean sendOn(String channel, byte[] frame) {
        if (held == null) {
            return write(frame); // nothing held: a channel starts holding before it can have frames for this connection
        }
        synchronized (this) {
            List<byte[]> frames = held == null ? null : held.get(channel);
            if (frames == null) {
                return write(frame);
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
    synchronized void release(String channel, List<String> first) {
        List<byte[]> frames = unhold(channel);
        first.forEach(this::sendText);
        if (frames != null) {
            frames.forEach(this::write);
        }
    }

    /** Sends {@code answer} (a refusal) and drops the frames held for the channel: it was not subscribed after all. */
    synchronized void discard(String channel, String answer) {
        unhold(channel);
        sendText(answer);
    }

    /** Under the lock: the channel's held frames, no longer held. */
    private List<byte[]> unhold(String channel) {
        Map<String, List<byte[]>> frames = held;
        if (frames == null) {
            return null;
        }
        List<byte[]> out = frames.remove(channel);
        if (frames.isEmpty()) {
            held = null;
        }
        return out;
    }

    /** Queues one Pusher frame; {@code false} when the connection is closed or was just closed as over capacity. */
    boolean sendText(String frame) {
        return write(frame.getBytes(StandardCharsets.UTF_8));
    }

    /** Queues one Pusher frame (UTF-8): Herald's bounded send queue, drained on the connection's event loop. */
    private boolean write(byte[] frame) {
        return super.send(frame);
    }

    /**
     * A Herald message reaching this connection through the hub: to its user (sent on {@code #server-to-user-{id}})
     * or to everyone (sent without a channel, for pusher-js's global bindings). The frame is Herald's envelope.
     */
    @Override
    public boolean send(byte[] heraldFrame) {
        byte[] frame = pusherFrame(heraldFrame);
        return frame == null || write(frame);
    }

    /** A durable Herald message to the signed-in user: sent as its Pusher frame, reported delivered once written. */
    @Override
    protected boolean sendTracked(byte[] heraldFrame, String messageId) {
        byte[] frame = pusherFrame(heraldFrame);
        return frame == null || super.sendTracked(frame, messageId);
    }

    /** The Pusher frame a Herald frame stands for here, or {@code null} when this connection has nothing to read in it. */
    private byte[] pusherFrame(byte[] heraldFrame) {
        JsonObject envelope = new JsonObject(io.vertx.core.buffer.Buffer.buffer(heraldFrame));
        if (!"message".equals(envelope.getString("type"))) {
            return null; // no other Herald frame means anything to a Pusher client
        }
        PusherEvent event = PusherEvent.fromHeraldData(envelope.getValue("data"));
        if (socketId().equals(event.excludeSocket())) {
            return null;
        }
        String channel = envelope.containsKey("topic") ? envelope.getString("topic")
                : Boolean.TRUE.equals(envelope.getBoolean("all")) ? null : ChannelNames.USER_PREFIX + userId();
        return event.frame(channel).getBytes(StandardCharsets.UTF_8);
    }

    /** Sends {@code pusher:error} with {@code code} and closes with it (a Pusher close code, 4000–4399). */
    void closeWith(int code, String message) {
        this.closeMessage = message;
        this.closeCode = code; // after the message: a close reads the code first
        tryClose(CloseReason.PROTOCOL_ERROR); // the reason is not used: the close sends code and message
    }

    @Override
    protected int closeCode(CloseReason reason) {
        int code = closeCode;
        return code != 0 ? code : pusherCode(reason);
    }

    @Override
    protected String closeText(CloseReason reason) {
        return fitted(message(reason));
    }

    /**
     * Pusher clients read why from a {@code pusher:error} before the close frame (pusher-js logs its message); a
     * close for breaking the WebSocket's own rules has none, as the Vert.x WebSocket that carried Pusher before sent none.
     */
    @Override
    protected byte[] lastFrame(CloseReason reason) {
        int code = closeCode(reason);
        return code < 4000 ? null : PusherFrames.error(code, message(reason)).getBytes(StandardCharsets.UTF_8);
    }

    private String message(CloseReason reason) {
        return closeCode != 0 ? closeMessage : reason.reason();
    }

    /** A close frame's reason holds at most 123 bytes of UTF-8 (RFC 6455 §5.5): a longer message is cut. */
    static String fitted(String message) {
        String text = message;
        while (text.getBytes(StandardCharsets.UTF_8).length > 123) {
            text = text.substring(0, Math.min(text.length() - 1, 120));
            if (Character.isHighSurrogate(text.charAt(text.length() - 1))) {
                text = text.substring(0, text.length() - 1);
            }
        }
        return text;
    }

    /**
     * Herald's reasons in Pusher's ranges, so pusher-js does what the reason means: 4000–4099 do not reconnect,
     * 4100–4199 reconnect after a backoff (a slow consumer, a ping flood), 4200–4299 reconnect at once.
     */
    static int pusherCode(CloseReason reason) {
        return switch (reason) {
            // a frame that breaks RFC 6455 (framing, UTF-8, size): the standard code, as /ws and any WebSocket send it
            case WEBSOCKET_PROTOCOL_ERROR, INVALID_PAYLOAD, MESSAGE_TOO_BIG -> reason.code();
            case GOING_AWAY, SERVER_ERROR -> 4200;
            case HEARTBEAT_TIMEOUT -> 4201;
            case SLOW_CONSUMER, TOO_MANY_CONNECTIONS, TOO_MANY_PINGS -> 4100;
            case KICKED, UNAUTHORIZED, FORBIDDEN -> 4009;
            default -> 4200;
        };
    }
}
