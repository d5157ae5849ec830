package dev.herald.server.pusher;

import dev.herald.core.PushCenter;
import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.server.config.PusherConfig;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

import dev.herald.core.delivery.RecipientStore;
import dev.herald.core.notify.DispatchSignals;
import dev.herald.server.net.ConnectionLimit;
import dev.herald.core.notify.NotifyStore;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

/**
 * The Pusher protocol 7 endpoint as one piece, for the composition root: the WebSocket ({@code /app/{key}}), the
 * HTTP API ({@code /apps/{id}/…}) and the channel registry they share. See {@code docs/pusher.md}.
 */
public final class Pusher {
    private final PusherEndpoint endpoint;
    private final PusherApi api;
    private final PusherChannels channels;
    private final ChannelDirectory directory;

    /**
     * @param notifyStore     where webhooks are recorded as deliveries (with {@code dispatcher}, both unused without
     *                        {@code pusher.webhook-url})
     * @param webhookDeadline how long a webhook may be retried (the {@code pusher-webhook} channel's retry deadline)
     * @param connectionLimit {@code ws.max-connections}: a Pusher connection takes a slot as a Herald one does
     * @param cluster         the cluster's Redis, shared with the other nodes' Pusher channels; {@code null}: this
     *                        node's channels are the whole truth (a single node, or a cluster on the PostgreSQL broker)
     * @param kick            closes a user's connections (or one of them) wherever they are, for
     *                        {@code terminate_connections}: the cluster views' kick
     */
    public Pusher(Vertx vertx, Hub hub, HubStats stats, PushCenter center, PusherConfig config, Clock clock, BooleanSupplier draining,
                  long sendQueueBytes, int maxMessageBytes, long maxBodySize, NotifyStore notifyStore, DispatchSignals dispatcher,
                  Duration webhookDeadline, ConnectionLimit connectionLimit, RecipientStore recipientStore,
                  PusherCluster cluster, BiFunction<String, String, CompletableFuture<Integer>> kick) {
        this.channels = new PusherChannels(hub, config.maxPresenceMembers());
        this.directory = cluster == null ? new LocalChannelDirectory(channels) : new RedisChannelDirectory(vertx, cluster, channels, center);
        PusherPublisher publisher = new PusherPublisher(center, directory);
        PusherWebhooks webhooks = config.webhookUrl().isEmpty() ? null
                : new PusherWebhooks(vertx, config.webhookUrl(), notifyStore, dispatcher, clock, webhookDeadline, PusherWebhooks.LEAVE_DELAY,
                        directory);
        this.endpoint = new PusherEndpoint(vertx, hub, config, channels, publisher, clock, draining, sendQueueBytes, maxMessageBytes, stats, webhooks,
                connectionLimit, recipientStore, directory);
        this.api = new PusherApi(config, directory, publisher, clock, draining, maxBodySize, kick);
    }

    public void mount(Router router) {
        router.get("/app/:key").handler(endpoint::handle);
        api.mount(router);
    }

    public void startSweeps() {
        endpoint.startSweeps();
        directory.start();
    }

    public void stopSweeps() {
        endpoint.stopSweeps();
    }

    /** Leaves the cluster's Pusher state (after {@link #closeAll}: the connections' own leaving went first). */
    public void close() {
        directory.close();
    }

    /** Stops sharing state at once, as a crash would: the other nodes reap this node's members after cluster.node-ttl. */
    public void halt() {
        directory.halt();
    }

    public void closeAll() {
        endpoint.closeAll();
    }

    /** Drops every Pusher connection at once, without a close frame (a crash, for tests: HeraldServer.halt). */
    public void abortAll() {
        endpoint.abortAll();
    }

    public int openConnections() {
        return endpoint.openConnections();
    }

    /** Subscriptions of a channel on this node (tests and stats). */
    public int subscriptionCount(String channel) {
        return channels.subscriptionCount(channel);
    }
}
