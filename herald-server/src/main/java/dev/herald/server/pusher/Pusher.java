package dev.herald.server.pusher;

import dev.herald.core.PushCenter;
import dev.herald.core.hub.Hub;
import dev.herald.server.config.PusherConfig;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

import java.time.Clock;
import java.util.function.BooleanSupplier;

/**
 * The Pusher protocol 7 endpoint as one piece, for the composition root: the WebSocket ({@code /app/{key}}), the
 * HTTP API ({@code /apps/{id}/…}) and the channel registry they share. See {@code docs/pusher.md}.
 */
public final class Pusher {
    private final PusherEndpoint endpoint;
    private final PusherApi api;
    private final PusherChannels channels;

    public Pusher(Vertx vertx, Hub hub, PushCenter center, PusherConfig config, Clock clock, BooleanSupplier draining,
                  long sendQueueBytes, long maxBodySize) {
        this.channels = new PusherChannels(hub, config.maxPresenceMembers());
        PusherPublisher publisher = new PusherPublisher(center, channels);
        this.endpoint = new PusherEndpoint(vertx, hub, config, channels, publisher, clock, draining, sendQueueBytes);
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

    public int openConnections() {
        return endpoint.openConnections();
    }

    /** Subscriptions of a channel on this node (tests and stats). */
    public int subscriptionCount(String channel) {
        return channels.subscriptionCount(channel);
    }
}
