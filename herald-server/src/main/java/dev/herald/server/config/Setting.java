package dev.herald.server.config;

import java.util.Locale;

/**
 * Every configuration key Herald reads, with its default, unit and meaning: the one list behind the
 * YAML file, the {@code HERALD_*} environment variables, the {@code serve} flags, the start-up log
 * and the README's configuration table.
 */
public enum Setting {
    HOST("host", "127.0.0.1", "address", "Address to listen on. Anything but loopback requires auth (auth.jwt-* and auth.api-keys)."),
    PORT("port", "8181", "port", "TCP port for HTTP and WebSocket (0 = any free port)."),
    DATA_DIR("data-dir", "./data", "path", "Directory for Herald's files (created if missing)."),
    NODE_ID("node-id", "", "name", "Name of this node in stats, welcome frames and logs (default: host name + random suffix)."),
    AUTH_JWT_SECRET("auth.jwt-secret", "", "secret", "HS256 shared secret for client tokens, at least 32 bytes.", true),
    AUTH_JWT_PUBLIC_KEY("auth.jwt-public-key", "", "path", "PEM file with an RSA (RS256) or EC P-256 (ES256) public key for client tokens."),
    AUTH_JWT_ISSUER("auth.jwt-issuer", "", "string", "If set, tokens must carry this iss."),
    AUTH_JWT_AUDIENCE("auth.jwt-audience", "", "string", "If set, tokens must carry this aud."),
    AUTH_JWT_LEEWAY("auth.jwt-leeway", "30s", "duration", "Clock skew tolerated on exp and nbf."),
    AUTH_API_KEYS("auth.api-keys", "", "list", "Comma-separated API keys for the HTTP API (Authorization: Bearer <key>), each at least 16 characters.", true),
    WS_ALLOWED_ORIGINS("ws.allowed-origins", "", "list", "Origins allowed to open WebSockets, e.g. https://app.example.com; * allows any. Empty: same host only (with auth), any (dev mode)."),
    WS_MAX_CONNECTIONS_PER_USER("ws.max-connections-per-user", "16", "count", "Connections one user may hold on one node; the next is closed with 4009."),
    WS_MAX_MESSAGE_SIZE("ws.max-message-size", "64KiB", "size", "Largest inbound WebSocket frame or message; larger closes with 1009."),
    WS_SEND_QUEUE_SIZE("ws.send-queue-size", "1MiB", "size", "Bytes queued for one connection before it is closed as a slow consumer (4008)."),
    WS_AUTH_TIMEOUT("ws.auth-timeout", "10s", "duration", "Time a connection may take to authenticate before it is closed with 4002."),
    WS_HEARTBEAT("ws.heartbeat", "20s", "duration", "Interval of server pings (and of the dead-peer check)."),
    WS_IDLE_TIMEOUT("ws.idle-timeout", "40s", "duration", "A connection silent this long (no frame, no pong) is dead and closed with 4010; detection takes at most idle-timeout + heartbeat (60 s by default)."),
    WS_MAX_TOPICS("ws.max-topics-per-connection", "100", "count", "Topics one connection may follow."),
    HTTP_MAX_BODY_SIZE("http.max-body-size", "1MiB", "size", "Largest HTTP request body; larger gets 413 payload_too_large."),
    API_MAX_BATCH("api.max-batch", "1000", "count", "Messages in one POST /api/v1/messages/batch."),
    STORE("store", "sqlite", "url", "Where durable messages live: sqlite (data-dir/herald.db), sqlite:/path/file.db, postgresql://user:password@host:5432/db, or memory (lost on restart)."),
    MESSAGES_TTL("messages.ttl", "24h", "duration", "How long a stored message waits for its recipients when the publisher names no ttl."),
    MESSAGES_MAX_TTL("messages.max-ttl", "7d", "duration", "The longest ttl a publisher may ask for."),
    MESSAGES_INBOX_CAP("messages.inbox-cap", "1000", "count", "Messages kept per user inbox (and per topic); the oldest are dropped first and counted."),
    MESSAGES_RECEIPT_RETENTION("messages.receipt-retention", "24h", "duration", "How long a message and its receipts stay readable after its ttl ran out; idempotency keys are remembered at least this long."),
    MESSAGES_MAINTENANCE_INTERVAL("messages.maintenance-interval", "10s", "duration", "How often the inbox cap and ttl expiry are enforced and old messages purged."),
    RECEIPTS_WEBHOOK_URL("receipts.webhook-url", "", "url", "If set, every delivered/acked/read status change is POSTed here (signed, retried)."),
    RECEIPTS_WEBHOOK_SECRET("receipts.webhook-secret", "", "secret", "Signing secret of the receipt webhook (Standard Webhooks, whsec_<base64> or any string of 24+ bytes).", true),
    SHUTDOWN_GRACE("shutdown.grace", "10s", "duration", "On SIGTERM, how long to wait for connections to close before exiting."),
    LOG_LEVEL("log.level", "INFO", "level", "Log level of Herald's own loggers: ERROR, WARN, INFO, DEBUG or TRACE.");

    private final String key;
    private final String defaultValue;
    private final String unit;
    private final String description;
    private final boolean secret;

    Setting(String key, String defaultValue, String unit, String description) {
        this(key, defaultValue, unit, description, false);
    }

    Setting(String key, String defaultValue, String unit, String description, boolean secret) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.unit = unit;
        this.description = description;
        this.secret = secret;
    }

    /** The key in YAML (dotted path) and as a flag ({@code --key}). */
    public String key() {
        return key;
    }

    /** {@code auth.jwt-secret} → {@code HERALD_AUTH_JWT_SECRET}. */
    public String envName() {
        return "HERALD_" + key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String unit() {
        return unit;
    }

    public String description() {
        return description;
    }

    /** Secrets are masked wherever configuration is printed. */
    public boolean secret() {
        return secret;
    }

    public static Setting byKey(String key) {
        for (Setting s : values()) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        return null;
    }
}
