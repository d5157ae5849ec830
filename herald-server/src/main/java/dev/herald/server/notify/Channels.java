package dev.herald.server.notify;

import dev.herald.core.notify.ChannelPolicy;
import dev.herald.core.notify.CircuitPolicy;
import dev.herald.core.notify.Notifiers;
import dev.herald.core.notify.RetryPolicy;
import dev.herald.server.config.NotifyConfig;
import io.vertx.core.Vertx;

/**
 * The composition of the notification channels: which notifiers run (from {@code notify.channels} and
 * {@code email.*}) and each channel's retry policy. Adding a channel = its package + one line here
 * ({@code docs/channels.md}).
 */
public final class Channels implements AutoCloseable {
    private final Notifiers notifiers = new Notifiers();
    private final NotifyConfig config;

    public Channels(Vertx vertx, NotifyConfig config) {
        this.config = config;
    }

    public Notifiers notifiers() {
        return notifiers;
    }

    /** The policy of one channel: its retry budget from the configuration, the shared timeouts and in-flight cap. */
    public ChannelPolicy policy(String channel) {
        NotifyConfig.Retry retry = config.retry(channel);
        if (retry == null) {
            return ChannelPolicy.DEFAULT;
        }
        return new ChannelPolicy(new RetryPolicy(config.retryInitial(), config.retryMax(), RetryPolicy.DEFAULT_MULTIPLIER,
                retry.maxAttempts(), retry.deadline()), config.maxInFlight(), config.timeout(), CircuitPolicy.DEFAULT);
    }

    @Override
    public void close() {
    }
}
