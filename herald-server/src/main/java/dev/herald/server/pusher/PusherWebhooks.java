package dev.herald.server.pusher;

import dev.herald.core.message.MessageIds;
import dev.herald.core.notify.Destination;
import dev.herald.core.notify.DispatchSignals;
import dev.herald.core.notify.Notification;
import dev.herald.core.notify.NotifyJob;
import dev.herald.core.notify.NotifyStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Pusher's webhooks ({@code channel_occupied}, {@code channel_vacated}, {@code member_added}, {@code member_removed},
 * {@code client_event}, {@code cache_miss}, {@code subscription_count}), each one a delivery of the {@link PusherWebhookNotifier#CHANNEL} channel
 * recorded in the {@link NotifyStore}: from there Herald's dispatcher owns it (retries with backoff and jitter, the
 * circuit breaker, dead letters replayable through the dead-letter API), as with every channel.
 *
 * <p>{@code channel_vacated} and {@code member_removed} wait {@link #LEAVE_DELAY} and are dropped when the channel is
 * occupied again (or the member back) by then, so a page reload sends nothing; the matching {@code channel_occupied}
 * and {@code member_added} are then not sent again either: a receiver sees each state change once.
 *
 * <p>Thread-safe; never blocks a caller (recording is asynchronous). In a cluster on Redis the conditions are the
 * cluster's (the {@link ChannelDirectory}'s counts and members) and the latches are shared, so each change is reported
 * once; otherwise both are this node's.
 */
final class PusherWebhooks {
    private static final Logger log = LoggerFactory.getLogger(PusherWebhooks.class);
    /** Pusher's delay before a vacated or removed webhook, long enough for a page reload. */
    static final Duration LEAVE_DELAY = Duration.ofSeconds(3);

    private final Vertx vertx;
    private final Destination destination;
    private final NotifyStore store;
    private final DispatchSignals dispatcher;
    private final Clock clock;
    private final Duration deadline;
    private final Duration leaveDelay;
    private final MessageIds ids = new MessageIds();
    /**
     * Latches {@code occupied:<channel>} (occupied sent, vacated not) and {@code member:<channel>:<user>} (added sent,
     * removed not): the directory's, so in a cluster on Redis one node sends each, whichever nodes saw the change.
     */
    private final ChannelDirectory latches;

    PusherWebhooks(Vertx vertx, String url, NotifyStore store, DispatchSignals dispatcher, Clock clock, Duration deadline,
                   Duration leaveDelay, ChannelDirectory latches) {
        this.vertx = vertx;
        this.latches = latches;
        this.destination = new Destination(PusherWebhookNotifier.CHANNEL, url, null);
        this.store = store;
        this.dispatcher = dispatcher;
        this.clock = clock;
        this.deadline = deadline;
        this.leaveDelay = leaveDelay;
    }

    void channelOccupied(String channel) {
        latches.set("occupied:" + channel).thenAccept(first -> {
            if (first) {
                send(new JsonObject().put("name", "channel_occupied").put("channel", channel));
            }
        });
    }

    /** {@code stillEmpty}: asked after the delay; the webhook goes only if the channel is still empty then. */
    void channelVacated(String channel, Supplier<CompletableFuture<Boolean>> stillEmpty) {
        laterIf(stillEmpty, "occupied:" + channel, new JsonObject().put("name", "channel_vacated").put("channel", channel));
    }

    void memberAdded(String channel, String userId) {
        latches.set("member:" + channel + ":" + userId).thenAccept(first -> {
            if (first) {
                send(new JsonObject().put("name", "member_added").put("channel", channel).put("user_id", userId));
            }
        });
    }

    void memberRemoved(String channel, String userId, Supplier<CompletableFuture<Boolean>> stillGone) {
        laterIf(stillGone, "member:" + channel + ":" + userId,
                new JsonObject().put("name", "member_removed").put("channel", channel).put("user_id", userId));
    }

    /** After the delay: sends {@code event} if {@code condition} holds then and this caller lowers {@code latch}. */
    private void laterIf(Supplier<CompletableFuture<Boolean>> condition, String latch, JsonObject event) {
        later(() -> condition.get()
                .thenCompose(holds -> holds ? latches.clear(latch) : CompletableFuture.completedFuture(false))
                .thenAccept(cleared -> {
                    if (cleared) {
                        send(event);
                    }
                }));
    }

    void clientEvent(String channel, String event, String data, String socketId, String userId) {
        JsonObject e = new JsonObject().put("name", "client_event").put("channel", channel).put("event", event)
                .put("data", data).put("socket_id", socketId);
        if (userId != null) {
            e.put("user_id", userId);
        }
        send(e);
    }

    void subscriptionCount(String channel, int count) {
        send(new JsonObject().put("name", "subscription_count").put("channel", channel).put("subscription_count", count));
    }

    void cacheMiss(String channel) {
        send(new JsonObject().put("name", "cache_miss").put("channel", channel));
    }

    private void later(Runnable check) {
        vertx.setTimer(Math.max(1, leaveDelay.toMillis()), id -> check.run());
    }

    /** Records one webhook ({@code {"time_ms","events":[event]}}) as a delivery, then wakes the dispatcher. */
    private void send(JsonObject event) {
        long now = clock.millis();
        String body = new JsonObject().put("time_ms", now).put("events", new JsonArray().add(event)).encode();
        String id = ids.next(now);
        Notification content = new Notification(id, id, null, now, "pusher " + event.getString("name"),
                event.getString("name") + " " + event.getString("channel"), null, null, body);
        NotifyJob job = NotifyJob.create(id, id, PusherWebhookNotifier.CHANNEL, null, destination, content, now, now,
                now + deadline.toMillis(), false);
        store.enqueue(List.of(job)).whenComplete((v, error) -> {
            if (error != null) {
                log.warn("pusher webhook {} not recorded: {}", event.getString("name"), error.getClass().getName());
            } else {
                dispatcher.scheduled(List.of(job));
            }
        });
    }
}
