package dev.herald.server.config;

import dev.herald.core.message.Durations;
import dev.herald.server.notify.http.AddressPolicy;
import dev.herald.server.notify.webhook.WebhookSignature;
import dev.herald.server.store.MessageStores;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;

/**
 * Herald's validated, immutable configuration. Built once by {@link ConfigSources}; every rule is
 * checked there and a violation throws {@link ConfigException} naming the key, so a bad value stops
 * the start instead of surfacing later. {@link #describe()} prints it with secrets masked.
 */
public record HeraldConfig(
        String host, int port, Path dataDir, String nodeId,
        String jwtSecret, Path jwtPublicKey, String jwtIssuer, String jwtAudience, Duration jwtLeeway,
        List<String> apiKeys, List<String> allowedOrigins,
        int maxConnections, int maxConnectionsPerUser, int maxMessageSize, long sendQueueBytes,
        Duration authTimeout, Duration heartbeat, Duration idleTimeout, int maxTopicsPerConnection,
        long maxBodySize, int maxBatch, int eventLoops, Duration shutdownGrace, Duration shutdownDrainDelay, String logLevel,
        String store, Duration messageTtl, Duration maxMessageTtl, int inboxCap, Duration receiptRetention,
        Duration maintenanceInterval, String receiptWebhookUrl, String receiptWebhookSecret,
        NotifyConfig notifications, HttpConfig http, ClusterConfig cluster, PusherConfig pusher,
        Map<Setting, String> raw, Map<Setting, String> origins, List<String> warnings) {

    public static final int MIN_JWT_SECRET_BYTES = 32;
    public static final int MIN_API_KEY_LENGTH = 16;
    /** More loops than this only cost threads: each is a thread and an epoll set. */
    public static final int MAX_EVENT_LOOPS = 1024;

    /** Defaults only: dev mode on loopback. */
    public static HeraldConfig defaults() {
        return new ConfigSources().build();
    }

    /** Dev mode: no JWT key and no API key; allowed only on loopback. */
    public boolean devMode() {
        return jwtSecret.isEmpty() && jwtPublicKey == null && apiKeys.isEmpty();
    }

    /** Whether {@code /console} is served: {@code console.enabled}, else on in dev mode (loopback only) and off with auth. */
    public boolean consoleEnabled() {
        String value = raw.getOrDefault(Setting.CONSOLE_ENABLED, "").trim();
        return value.isEmpty() ? devMode() : Units.bool("console.enabled", value);
    }

    static HeraldConfig from(Map<Setting, String> raw, Map<Setting, String> origins, List<String> warnings) {
        java.util.function.Function<Setting, String> v = s -> raw.get(s).trim();
        String host = v.apply(Setting.HOST);
        if (host.isEmpty()) {
            throw new ConfigException("host: must not be empty");
        }
        int port = Units.integer("port", v.apply(Setting.PORT), 0, 65535);
        if (!v.apply(Setting.CONSOLE_ENABLED).isEmpty()) {
            Units.bool("console.enabled", v.apply(Setting.CONSOLE_ENABLED)); // fails fast on a value that is not a boolean
        }
        String nodeId = v.apply(Setting.NODE_ID);
        if (nodeId.isEmpty()) {
            nodeId = defaultNodeId();
        }
        String secret = raw.get(Setting.AUTH_JWT_SECRET);
        if (!secret.isEmpty() && secret.getBytes(StandardCharsets.UTF_8).length < MIN_JWT_SECRET_BYTES) {
            throw new ConfigException("auth.jwt-secret: must be at least " + MIN_JWT_SECRET_BYTES + " bytes (HS256 needs a 256-bit key)");
        }
        String keyPath = v.apply(Setting.AUTH_JWT_PUBLIC_KEY);
        Path publicKey = keyPath.isEmpty() ? null : Units.path("auth.jwt-public-key", keyPath);
        if (publicKey != null && !Files.isReadable(publicKey)) {
            throw new ConfigException("auth.jwt-public-key: file " + publicKey + " is not readable");
        }
        List<String> apiKeys = Units.list(raw.get(Setting.AUTH_API_KEYS));
        for (String k : apiKeys) {
            if (k.length() < MIN_API_KEY_LENGTH) {
                throw new ConfigException("auth.api-keys: every key must be at least " + MIN_API_KEY_LENGTH + " characters");
            }
        }
        boolean jwt = !secret.isEmpty() || publicKey != null;
        if (jwt && apiKeys.isEmpty()) {
            throw new ConfigException("auth.api-keys: required when auth.jwt-secret or auth.jwt-public-key is set (the HTTP API would be open otherwise)");
        }
        if (!jwt && !apiKeys.isEmpty()) {
            throw new ConfigException("auth.jwt-secret or auth.jwt-public-key: required when auth.api-keys is set (clients could not authenticate otherwise)");
        }
        if (!jwt && !isLoopback(host)) {
            throw new ConfigException("host: binding to " + host + " needs authentication; set auth.jwt-secret (or auth.jwt-public-key) "
                    + "and auth.api-keys, or bind to 127.0.0.1 for dev mode");
        }
        Duration heartbeat = Units.positiveDuration("ws.heartbeat", v.apply(Setting.WS_HEARTBEAT));
        Duration idle = Units.positiveDuration("ws.idle-timeout", v.apply(Setting.WS_IDLE_TIMEOUT));
        if (idle.compareTo(heartbeat) <= 0) {
            throw new ConfigException("ws.idle-timeout: must be longer than ws.heartbeat (" + Durations.format(heartbeat) + "), or live peers would be dropped");
        }
        long maxMessage = Units.size("ws.max-message-size", v.apply(Setting.WS_MAX_MESSAGE_SIZE));
        if (maxMessage < 1024 || maxMessage > 16 * 1024 * 1024) {
            throw new ConfigException("ws.max-message-size: must be between 1KiB and 16MiB");
        }
        long sendQueue = Units.size("ws.send-queue-size", v.apply(Setting.WS_SEND_QUEUE_SIZE));
        if (sendQueue < 1024) {
            throw new ConfigException("ws.send-queue-size: must be at least 1KiB");
        }
        long maxBody = Units.size("http.max-body-size", v.apply(Setting.HTTP_MAX_BODY_SIZE));
        if (maxBody < 1024 || maxBody > 256L * 1024 * 1024) {
            throw new ConfigException("http.max-body-size: must be between 1KiB and 256MiB");
        }
        String level = v.apply(Setting.LOG_LEVEL).toUpperCase(java.util.Locale.ROOT);
        if (!List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE").contains(level)) {
            throw new ConfigException("log.level: '" + level + "' is not one of ERROR, WARN, INFO, DEBUG, TRACE");
        }
        String store = v.apply(Setting.STORE);
        if (!store.equals("memory") && !store.equals("sqlite") && !store.startsWith("sqlite:")
                && !store.startsWith("postgresql://") && !store.startsWith("postgres://") && !store.startsWith("jdbc:postgresql://")) {
            throw new ConfigException("store: '" + MessageStores.redact(store) + "' is not one of sqlite, sqlite:/path/file.db, postgresql://…, memory");
        }
        Duration ttl = Units.positiveDuration("messages.ttl", v.apply(Setting.MESSAGES_TTL));
        Duration maxTtl = Units.positiveDuration("messages.max-ttl", v.apply(Setting.MESSAGES_MAX_TTL));
        if (ttl.compareTo(maxTtl) > 0) {
            throw new ConfigException("messages.ttl: must not be longer than messages.max-ttl (" + Durations.format(maxTtl) + ")");
        }
        String webhookUrl = v.apply(Setting.RECEIPTS_WEBHOOK_URL);
        String webhookSecret = raw.get(Setting.RECEIPTS_WEBHOOK_SECRET).trim();
        if (!webhookUrl.isEmpty()) {
            if (!webhookUrl.startsWith("http://") && !webhookUrl.startsWith("https://")) {
                throw new ConfigException("receipts.webhook-url: must be an http:// or https:// URL");
            }
            try {
                AddressPolicy.anyAddress().checkUrl(webhookUrl); // the receipt channel parses it so at every attempt
            } catch (IllegalArgumentException e) {
                throw new ConfigException("receipts.webhook-url: " + e.getMessage());
            }
            if (webhookSecret.isEmpty()) {
                throw new ConfigException("receipts.webhook-secret: required with receipts.webhook-url (receivers must be able to verify receipts)");
            }
            if (webhookSecretBytes(webhookSecret) < WebhookSignature.MIN_SECRET_BYTES) {
                throw new ConfigException("receipts.webhook-secret: must be at least " + WebhookSignature.MIN_SECRET_BYTES
                        + " bytes (whsec_<base64> or plain text)");
            }
        }
        List<String> allWarnings = new java.util.ArrayList<>(warnings);
        int maxConnections = maxConnections(v.apply(Setting.WS_MAX_CONNECTIONS), FileDescriptors.limit(), allWarnings);
        return new HeraldConfig(host, port, Units.path("data-dir", v.apply(Setting.DATA_DIR)), nodeId,
                secret, publicKey, v.apply(Setting.AUTH_JWT_ISSUER), v.apply(Setting.AUTH_JWT_AUDIENCE),
                Units.duration("auth.jwt-leeway", v.apply(Setting.AUTH_JWT_LEEWAY)),
                apiKeys, Units.list(v.apply(Setting.WS_ALLOWED_ORIGINS)), maxConnections,
                Units.integer("ws.max-connections-per-user", v.apply(Setting.WS_MAX_CONNECTIONS_PER_USER), 1, 10_000),
                (int) maxMessage, sendQueue,
                Units.positiveDuration("ws.auth-timeout", v.apply(Setting.WS_AUTH_TIMEOUT)),
                heartbeat, idle,
                Units.integer("ws.max-topics-per-connection", v.apply(Setting.WS_MAX_TOPICS), 0, 10_000),
                maxBody, Units.integer("api.max-batch", v.apply(Setting.API_MAX_BATCH), 1, 100_000),
                eventLoops(v.apply(Setting.HTTP_EVENT_LOOPS)),
                Units.duration("shutdown.grace", v.apply(Setting.SHUTDOWN_GRACE)),
                Units.duration("shutdown.drain-delay", v.apply(Setting.SHUTDOWN_DRAIN_DELAY)), level,
                store, ttl, maxTtl,
                Units.integer("messages.inbox-cap", v.apply(Setting.MESSAGES_INBOX_CAP), 1, 1_000_000),
                Units.duration("messages.receipt-retention", v.apply(Setting.MESSAGES_RECEIPT_RETENTION)),
                Units.positiveDuration("messages.maintenance-interval", v.apply(Setting.MESSAGES_MAINTENANCE_INTERVAL)),
                webhookUrl, webhookSecret,
                NotifyConfig.from(raw), HttpConfig.from(raw), ClusterConfig.from(raw, store), PusherConfig.from(raw),
                Map.copyOf(raw), Map.copyOf(origins), List.copyOf(allWarnings));
    }

    /**
     * {@code ws.max-connections}: as set, or derived from the file-descriptor limit when empty. A value the
     * limit cannot hold is allowed (the limit may be raised for the next start) but warned about: beyond
     * the limit accept(2) fails with EMFILE and clients wait unanswered instead of getting a 503.
     */
    static int maxConnections(String value, long fdLimit, List<String> warnings) {
        if (value.isEmpty()) {
            return FileDescriptors.defaultMaxConnections(fdLimit);
        }
        int max = Units.integer("ws.max-connections", value, 1, Integer.MAX_VALUE);
        if (fdLimit > 0 && max > fdLimit - FileDescriptors.RESERVE) {
            warnings.add("ws.max-connections (" + max + ") leaves fewer than " + FileDescriptors.RESERVE
                    + " of the process's " + fdLimit + " file descriptors for everything else: connections beyond the descriptor limit "
                    + "wait unanswered instead of getting 503 too_many_connections (leave ws.max-connections empty for "
                    + FileDescriptors.defaultMaxConnections(fdLimit) + ", or raise ulimit -n)");
        }
        return max;
    }

    /**
     * {@code http.event-loops}: as set, or one per available processor when empty. Replay and live delivery agree by
     * stream position whatever thread delivers (docs/guarantees.md), so connections can spread over every core.
     */
    static int eventLoops(String value) {
        return value.isEmpty() ? defaultEventLoops() : Units.integer("http.event-loops", value, 1, MAX_EVENT_LOOPS);
    }

    /** One loop per processor the JVM may use (cgroup limits and {@code -XX:ActiveProcessorCount} included). */
    static int defaultEventLoops() {
        return Math.min(Runtime.getRuntime().availableProcessors(), MAX_EVENT_LOOPS);
    }

    static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            throw new ConfigException("host: '" + host + "' cannot be resolved");
        }
    }

    private static int webhookSecretBytes(String secret) {
        try {
            return WebhookSignature.key(secret).length;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("receipts.webhook-secret: the part after whsec_ is not base64");
        }
    }

    private static String defaultNodeId() {
        String name;
        try {
            name = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            name = "herald";
        }
        return name + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    /** One line per setting, {@code key = value (origin)}, secrets masked. */
    public String describe() {
        StringJoiner out = new StringJoiner("\n");
        for (Setting s : Setting.values()) {
            String value = raw.get(s);
            String shown = s == Setting.WS_MAX_CONNECTIONS && value.isEmpty() ? maxConnections + ", from the file-descriptor limit"
                    : s == Setting.HTTP_EVENT_LOOPS && value.isEmpty() ? eventLoops + ", one per processor (the default)" : masked(s);
            out.add("  " + s.key() + " = " + shown + " (" + origins.get(s) + ")");
        }
        return out.toString();
    }

    /**
     * One setting's value as it may be shown to an operator (log, {@code herald config}, the console): a secret-typed
     * setting only says whether it is set, store and broker URLs lose their password. The node id is the effective one.
     */
    public String masked(Setting s) {
        String value = raw.get(s);
        return s.secret() && !value.isEmpty() ? "******** (set)"
                : s == Setting.NODE_ID ? nodeId : s == Setting.STORE ? MessageStores.redact(value)
                : s == Setting.BROKER ? (dev.herald.server.store.PostgresUrl.matches(value) ? MessageStores.redact(value)
                        : dev.herald.server.cluster.RedisUrl.redact(value))
                : value;
    }

    /** One row of {@link #effective()}. */
    public record Shown(Setting setting, String value, String origin) { }

    /**
     * Every setting as a remote reader (the console's {@code GET /api/v1/admin/config}) may see it: {@link #masked}, and
     * other URLs ({@code receipts.webhook-url}, {@code pusher.webhook-url}) cut to {@code scheme://host[:port]/…}, since
     * webhook receivers often take their token in the path or query. Secrets never leave the process.
     */
    public List<Shown> effective() {
        List<Shown> out = new java.util.ArrayList<>();
        for (Setting s : Setting.values()) {
            String value = masked(s);
            if (s.unit().equals("url") && s != Setting.STORE && s != Setting.BROKER && !value.isEmpty()) {
                value = dev.herald.server.notify.http.RedactedUrl.of(value);
            }
            out.add(new Shown(s, value, String.valueOf(origins.get(s))));
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "HeraldConfig[" + host + ":" + port + ", devMode=" + devMode() + "]"; // never print secrets
    }
}
