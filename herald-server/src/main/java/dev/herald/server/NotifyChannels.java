package dev.herald.server;

import dev.herald.core.notify.ChannelPolicy;
import dev.herald.core.notify.CircuitPolicy;
import dev.herald.core.notify.Notifier;
import dev.herald.core.notify.Notifiers;
import dev.herald.core.notify.RetryPolicy;
import dev.herald.server.config.NotifyConfig;
import dev.herald.server.config.PusherConfig;
import dev.herald.server.notify.dingtalk.DingTalkNotifier;
import dev.herald.server.notify.email.EmailNotifier;
import dev.herald.server.notify.feishu.FeishuNotifier;
import dev.herald.server.notify.http.AddressPolicy;
import dev.herald.server.notify.http.Cidr;
import dev.herald.server.notify.http.OutboundHttp;
import dev.herald.server.notify.slack.SlackNotifier;
import dev.herald.server.notify.webhook.WebhookNotifier;
import dev.herald.server.notify.wecom.WeComNotifier;
import dev.herald.server.pusher.PusherWebhookNotifier;
import dev.herald.server.receipts.ReceiptWebhookNotifier;
import io.vertx.core.Vertx;

import java.util.function.Function;

/**
 * The composition of the notification channels: which notifiers run (from {@code notify.channels} and
 * {@code email.*}) and each channel's policy. Adding a channel = its package + one line in {@link #create}
 * ({@code docs/channels.md}). Part of the composition root: the channel packages know nothing of the
 * configuration, which is read here.
 *
 * <p>Two sets of channels: {@link #notifiers()}, the ones API callers name ({@code "channels":[…]}, contacts),
 * and {@link #dispatched()}, those plus the receipt webhook's channel when {@code receipts.webhook-url} is set,
 * which the dispatcher sends but no caller can address.
 */
final class NotifyChannels implements AutoCloseable {
    /** Answers of webhooks and robots are read up to this; they are only checked for an error code. */
    static final int MAX_RESPONSE_BYTES = 64 * 1024;

    private final Notifiers notifiers = new Notifiers();
    private final Notifiers dispatched = new Notifiers();
    private final NotifyConfig config;
    private final OutboundHttp http;
    private final EmailNotifier email;

    /**
     * {@code receiptSecret}: {@code receipts.webhook-secret}, or {@code null} when there is no receipt webhook;
     * {@code pusherWebhook}: the Pusher app whose webhooks are sent, or {@code null} when there are none.
     */
    NotifyChannels(Vertx vertx, NotifyConfig config, String receiptSecret, PusherConfig pusherWebhook) {
        this.config = config;
        this.http = new OutboundHttp(vertx, config.connectTimeout(), config.timeout(), MAX_RESPONSE_BYTES);
        AddressPolicy policy = new AddressPolicy(config.allowLoopback(), config.allowPrivateNetworks(),
                config.allowedNetworks().stream().map(Cidr::parse).toList());
        this.email = config.activeChannels().contains("email") ? new EmailNotifier(vertx, config.email()) : null;
        for (String channel : config.activeChannels()) {
            Notifier notifier = create(channel, policy);
            notifiers.register(notifier);
            dispatched.register(notifier);
        }
        if (receiptSecret != null) {
            dispatched.register(new ReceiptWebhookNotifier(http, receiptSecret));
        }
        if (pusherWebhook != null) {
            dispatched.register(new PusherWebhookNotifier(http, pusherWebhook.key(), pusherWebhook.secret()));
        }
    }

    private Notifier create(String channel, AddressPolicy policy) {
        Function<AddressPolicy, Notifier> factory = switch (channel) {
            case "webhook" -> p -> new WebhookNotifier(http, p);
            case "wecom" -> p -> new WeComNotifier(http, p);
            case "dingtalk" -> p -> new DingTalkNotifier(http, p);
            case "feishu" -> p -> new FeishuNotifier(http, p);
            case "slack" -> p -> new SlackNotifier(http, p);
            case "email" -> p -> email;
            default -> throw new IllegalArgumentException("no notifier for channel '" + channel + "'");
        };
        return factory.apply(policy);
    }

    /** The channels API callers may name. */
    Notifiers notifiers() {
        return notifiers;
    }

    /** What the dispatcher sends: {@link #notifiers()} and the receipt webhook's channel. */
    Notifiers dispatched() {
        return dispatched;
    }

    /**
     * The policy of one channel: its retry budget from the configuration ({@code notify.<channel>.*}, else
     * {@code notify.*}), the shared backoff, timeout and in-flight cap.
     */
    ChannelPolicy policy(String channel) {
        NotifyConfig.Retry retry = config.retry(channel);
        return new ChannelPolicy(new RetryPolicy(config.retryInitial(), config.retryMax(), RetryPolicy.DEFAULT_MULTIPLIER,
                retry.maxAttempts(), retry.deadline()), config.maxInFlight(), config.timeout().plus(NotifyConfig.ATTEMPT_MARGIN), CircuitPolicy.DEFAULT);
    }

    @Override
    public void close() {
        http.close();
        if (email != null) {
            email.close();
        }
    }
}
