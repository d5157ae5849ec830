package dev.herald.server.config;

import java.time.Duration;
import java.util.Map;

/**
 * The optional Pusher protocol 7 endpoint ({@code pusher.*}), validated by {@link #from}: one app, named by its id,
 * its public key and its secret. Disabled when {@code pusher.app-id} is empty; when it is set, key and secret are
 * required, so a half-configured endpoint stops the start instead of refusing every client later.
 *
 * @param appId              the app id of the HTTP API's paths ({@code /apps/{appId}/…})
 * @param key                the public key of the WebSocket path ({@code /app/{key}}) and of auth strings
 * @param secret             the HMAC-SHA256 key of channel, user and HTTP API signatures (secret: never logged)
 * @param clientEvents       whether clients may send {@code client-*} events
 * @param activityTimeout    {@code activity_timeout} announced to clients; twice this of silence closes with 4201
 * @param maxEventBytes      largest event data accepted
 * @param maxPresenceMembers distinct users one presence channel holds
 * @param webhookUrl         where Pusher webhooks are POSTed, or empty for none
 * @param subscriptionCount  whether subscription counts are sent to subscribers (and as webhooks)
 */
public record PusherConfig(String appId, String key, String secret, boolean clientEvents, Duration activityTimeout,
                           int maxEventBytes, int maxPresenceMembers, String webhookUrl, boolean subscriptionCount) {
    /** Pusher's own default: clients ping after two minutes of silence. */
    public static final Duration DEFAULT_ACTIVITY_TIMEOUT = Duration.ofSeconds(120);
    /** Pusher's documented limit on event data. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 10 * 1024;
    /** Pusher's documented limit on presence channel members. */
    public static final int DEFAULT_MAX_PRESENCE_MEMBERS = 100;
    /** Below this a guessed secret is within reach; Pusher's own secrets are 20 hex characters. */
    public static final int MIN_SECRET_LENGTH = 8;

    /** The endpoint off. */
    public static PusherConfig disabled() {
        return new PusherConfig("", "", "", true, DEFAULT_ACTIVITY_TIMEOUT, DEFAULT_MAX_EVENT_BYTES, DEFAULT_MAX_PRESENCE_MEMBERS, "", false);
    }

    public boolean enabled() {
        return !appId.isEmpty();
    }

    static PusherConfig from(Map<Setting, String> raw) {
        java.util.function.Function<Setting, String> v = s -> raw.get(s).trim();
        String appId = v.apply(Setting.PUSHER_APP_ID);
        String key = v.apply(Setting.PUSHER_KEY);
        String secret = v.apply(Setting.PUSHER_SECRET);
        if (appId.isEmpty()) {
            if (!key.isEmpty() || !secret.isEmpty()) {
                throw new ConfigException("pusher.app-id: required with pusher.key and pusher.secret (it enables the Pusher endpoint)");
            }
            return disabled();
        }
        if (!appId.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new ConfigException("pusher.app-id: 1-64 characters of A-Z a-z 0-9 _ -");
        }
        if (!key.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new ConfigException("pusher.key: required with pusher.app-id, 1-64 characters of A-Z a-z 0-9 _ -");
        }
        if (secret.length() < MIN_SECRET_LENGTH) {
            throw new ConfigException("pusher.secret: required with pusher.app-id, at least " + MIN_SECRET_LENGTH + " characters");
        }
        Duration activity = Units.positiveDuration(Setting.PUSHER_ACTIVITY_TIMEOUT.key(), v.apply(Setting.PUSHER_ACTIVITY_TIMEOUT));
        if (activity.toSeconds() < 1) {
            throw new ConfigException("pusher.activity-timeout: at least 1s (it is sent in whole seconds)");
        }
        long maxEvent = Units.size(Setting.PUSHER_MAX_EVENT_SIZE.key(), v.apply(Setting.PUSHER_MAX_EVENT_SIZE));
        if (maxEvent < 1 || maxEvent > 1024 * 1024) {
            throw new ConfigException("pusher.max-event-size: between 1B and 1MiB");
        }
        String webhook = v.apply(Setting.PUSHER_WEBHOOK_URL);
        if (!webhook.isEmpty() && !webhook.matches("https?://[^\\s]+")) {
            throw new ConfigException("pusher.webhook-url: an http:// or https:// URL");
        }
        return new PusherConfig(appId, key, secret,
                Units.bool(Setting.PUSHER_CLIENT_EVENTS.key(), v.apply(Setting.PUSHER_CLIENT_EVENTS)), activity, (int) maxEvent,
                Units.integer(Setting.PUSHER_MAX_PRESENCE_MEMBERS.key(), v.apply(Setting.PUSHER_MAX_PRESENCE_MEMBERS), 1, 100_000),
                webhook, Units.bool(Setting.PUSHER_SUBSCRIPTION_COUNT.key(), v.apply(Setting.PUSHER_SUBSCRIPTION_COUNT)));
    }

    @Override
    public String toString() {
        return "PusherConfig[app " + appId + ", key " + key + "]"; // never the secret
    }
}
