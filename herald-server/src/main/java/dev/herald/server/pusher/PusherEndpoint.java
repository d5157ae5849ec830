package dev.herald.server.pusher;

import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.session.CloseReason;
import dev.herald.core.delivery.RecipientStore;
import dev.herald.core.error.ErrorCode;
import dev.herald.server.api.ErrorRenderer;
import dev.herald.server.config.PusherConfig;
import dev.herald.server.net.VertxInternals;
import dev.herald.server.net.ConnectionLimit;
import dev.herald.server.net.ConnectionSlot;
import dev.herald.server.ws.WebSocketEndpoint;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /app/{key}?protocol=7&client=…&version=…}: the Pusher protocol 7 WebSocket. The upgrade is accepted
 * first and refusals are then sent the Pusher way, a {@code pusher:error} and a close with its code (4001 unknown app
 * key, 4007 unsupported protocol, 4200 shutting down), because that is what Pusher clients read; a plain HTTP error
 * would only make them retry. Also runs the activity sweep: a connection silent for twice {@code activity_timeout}
 * (no frame, no {@code pusher:ping}) is closed with 4201, as Pusher closes one whose pong did not come.
 */
public final class PusherEndpoint {
    private static final Logger log = LoggerFactory.getLogger(PusherEndpoint.class);
    /** Protocols 5–7 share the frames Herald sends; older ones (and none) Pusher refuses too. */
    static final int MIN_PROTOCOL = 5;
    static final int MAX_PROTOCOL = 7;

    private final Vertx vertx;
    private final Hub hub;
    private final PusherConfig config;
    private final PusherChannels channels;
    private final PusherSignatures signatures;
    private final PusherPublisher publisher;
    private final Clock clock;
    private final BooleanSupplier draining;
    private final long sendQueueBytes;
    /** {@code ws.max-message-size}: the largest message a Pusher client may send, as on {@code /ws}. */
    private final int maxMessageBytes;
    private final HubStats stats;
    private final PusherWebhooks webhooks;
    private final ConnectionLimit connectionLimit;
    private final RecipientStore recipientStore;
    private final SubscriptionCounts counts;
    private final ChannelDirectory directory;
    private final ChannelEvents events;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<PusherConnection, PusherSocketHandler> open = new ConcurrentHashMap<>();
    private long sweepTimer = -1;

    public PusherEndpoint(Vertx vertx, Hub hub, PusherConfig config, PusherChannels channels, PusherPublisher publisher,
                          Clock clock, BooleanSupplier draining, long sendQueueBytes, int maxMessageBytes, HubStats stats,
                          PusherWebhooks webhooks,
                          ConnectionLimit connectionLimit, RecipientStore recipientStore, ChannelDirectory directory) {
        this.directory = directory;
        this.events = new ChannelEvents(directory, webhooks);
        if (directory instanceof RedisChannelDirectory redis) {
            redis.listener(events);
        }
        this.webhooks = webhooks;
        this.connectionLimit = connectionLimit;
        this.recipientStore = recipientStore;
        this.counts = config.subscriptionCount() ? new SubscriptionCounts(vertx, directory, webhooks) : null;
        this.vertx = vertx;
        this.hub = hub;
        this.config = config;
        this.channels = channels;
        this.signatures = new PusherSignatures(config.key(), config.secret());
        this.publisher = publisher;
        this.clock = clock;
        this.draining = draining;
        this.sendQueueBytes = sendQueueBytes;
        this.maxMessageBytes = maxMessageBytes;
        this.stats = stats;
    }

    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String key = ctx.pathParam("key");
        String protocolParam = request.getParam("protocol");
        ConnectionSlot slot = connectionLimit.tryAcquireWebSocket();
        if (slot == null) {
            // before the upgrade, as on /ws: pusher-js treats a failed upgrade as unavailable and retries with a backoff
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close").endHandler(v -> request.connection().close());
            ErrorRenderer.render(ctx, ErrorCode.TOO_MANY_CONNECTIONS.exception("this node holds its maximum of "
                    + connectionLimit.maxWebSockets() + " connections (ws.max-connections); retry on another node or later"));
            return;
        }
        io.netty.channel.Channel channel = VertxInternals.channel(request);
        slot.releaseWhenClosed(channel); // every path ends with the socket, whichever it is
        request.toWebSocket().onSuccess(socket -> accept(channel, slot, key, protocolParam)).onFailure(e -> {
            slot.release();
            log.debug("pusher upgrade failed from {}: {}", request.remoteAddress(), e.toString());
        });
    }

    /**
     * On the channel's event loop, right after the upgrade: Herald's transport takes the channel over (as on
     * {@code /ws}, no Vert.x WebSocket stays behind), then the connection is refused the Pusher way or opened.
     */
    private void accept(io.netty.channel.Channel channel, ConnectionSlot slot, String key, String protocolParam) {
        String socketId = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE) + "." + sequence.incrementAndGet();
        PusherConnection connection = new PusherConnection(socketId, channel, sendQueueBytes, stats, Instant.now(clock));
        PusherSocketHandler handler = new PusherSocketHandler(connection, channels, signatures, publisher, hub, config, webhooks, counts,
                directory, events);
        WebSocketEndpoint.wireText(channel, connection, maxMessageBytes, handler::onText,
                () -> connection.closeWith(4200, "binary frames are not part of the Pusher protocol"), slot::release);
        int protocol = parseProtocol(protocolParam);
        if (!signatures.key().equals(key)) {
            connection.closeWith(4001, "app key " + key + " does not exist on this server");
            return;
        }
        if (protocol < MIN_PROTOCOL || protocol > MAX_PROTOCOL) {
            connection.closeWith(4007, "unsupported protocol version " + protocolParam + " (Herald speaks 5-7)");
            return;
        }
        if (draining.getAsBoolean()) {
            connection.closeWith(4200, "server shutting down: reconnect");
            return;
        }
        // a durable Herald message to the signed-in user counts as delivered once written, as on /ws
        connection.onDelivered(messageId -> recipientStore.delivered(connection.userId(), messageId));
        open.put(connection, handler);
        connection.onClose(() -> {
            open.remove(connection);
            handler.closed();
        });
        if (connection.isClosed()) { // the socket closed during the upgrade: its close ran before the listener was set
            open.remove(connection);
            return;
        }
        connection.sendText(PusherFrames.connectionEstablished(socketId, config.activityTimeout().toSeconds()));
    }

    private static int parseProtocol(String value) {
        try {
            return value == null ? 0 : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public void startSweeps() {
        long period = Math.max(1000, config.activityTimeout().toMillis() / 4);
        sweepTimer = vertx.setPeriodic(period, id -> sweep());
    }

    public void stopSweeps() {
        vertx.cancelTimer(sweepTimer);
    }

    private void sweep() {
        channels.expireCache();
        long limit = config.activityTimeout().toNanos() * 2;
        long now = System.nanoTime();
        for (PusherConnection connection : open.keySet()) {
            if (now - connection.lastSeenNanos() > limit) {
                connection.closeWith(4201, "no activity within twice activity_timeout (pong not received)");
            }
        }
    }

    /** Shutdown: every Pusher connection is told to reconnect (4200), to another node or to this one restarted. */
    public void closeAll() {
        for (PusherConnection connection : open.keySet()) {
            connection.close(CloseReason.GOING_AWAY);
        }
    }

    /** {@link dev.herald.server.HeraldServer#halt}: drops every connection at once, without a close frame. */
    public void abortAll() {
        for (PusherConnection connection : open.keySet()) {
            connection.abortConnection();
        }
    }

    public int openConnections() {
        return open.size();
    }
}
