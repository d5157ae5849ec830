package dev.herald.server.pusher;

import dev.herald.core.PushCenter;
import dev.herald.core.hub.Hub;
import dev.herald.server.config.PusherConfig;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

import dev.herald.core.delivery.RecipientStore;
import dev.herald.core.notify.DispatchSignals;
import dev.herald.server.net.ConnectionLimit;
import dev.herald.core.notify.NotifyStore;

import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The Pusher protocol 7 endpoint as one piece, for the composition root: the WebSocket ({@code /app/{key}}), the
 * HTTP API ({@code /apps/{id}/…}) and the channel registry they share. See {@code docs/pusher.md}.
 */
public final class Pusher {
    private final PusherEndpoint endpoint;
    private final PusherApi api;
    private final PusherChannels channels;

    /**
     * @param notifyStore     where webhooks are recorded as deliveries (with {@code dispatcher}, both unused without
     *                        {@code pusher.webhook-url})
     * @param webhookDeadline how long a webhook may be retried (the {@code pusher-webhook} channel's retry deadline)
     * @param connectionLimit {@code ws.max-connections}: a Pusher connection takes a slot as a Herald one does
     */
    public Pusher(Vertx vertx, Hub hub, PushCenter center, PusherConfig config, Clock clock, BooleanSupplier draining,
                  long sendQueueBytes, long maxBodySize, NotifyStore notifyStore, DispatchSignals dispatcher,
                  Duration webhookDeadline, ConnectionLimit connectionLimit, RecipientStore recipientStore) {
        this.channels = new PusherChannels(hub, config.maxPresenceMembers());
        PusherPublisher publisher = new PusherPublisher(center, channels);
        PusherWebhooks webhooks = config.webhookUrl().isEmpty() ? null
                : new PusherWebhooks(vertx, config.webhookUrl(), notifyStore, dispatcher, clock, webhookDeadline, PusherWebhooks.LEAVE_DELAY);
        this.endpoint = new PusherEndpoint(vertx, hub, config, channels, publisher, clock, draining, sendQueueBytes, webhooks,
                connectionLimit, recipientStore);
        this.api = new PusherApi(config, channels, publisher, center, clock, draining, maxBodySize);
    }

    public void mount(Router router) {
        router.get("/app/:key").handler(endpoint::handle);
        api.mount(router);
    }

    public void startSweeps() {
        endpoint.startSweeps();
    }

    public void stopSweeps() {
        endpoint.stopSweeps();
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
