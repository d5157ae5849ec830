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
    CONSOLE_ENABLED("console.enabled", "", "boolean", "Serve the operator console at /console (it logs in with one of auth.api-keys). Empty: on in dev mode (which is loopback only), off with auth."),
    WS_ALLOWED_ORIGINS("ws.allowed-origins", "", "list", "Origins allowed to open WebSockets and SSE streams (and to ack over HTTP), e.g. https://app.example.com; * allows any. The server's own origin is always allowed. Empty: same origin only (with auth), any (dev mode)."),
    WS_MAX_CONNECTIONS("ws.max-connections", "", "count", "Connections (WebSockets and SSE streams together) this node holds at most; beyond, upgrades and streams get 503 too_many_connections. Empty: the process's file-descriptor limit minus 100 (19,900 at 20,000)."),
    WS_MAX_CONNECTIONS_PER_USER("ws.max-connections-per-user", "16", "count", "Connections one user may hold (across every node in a cluster); the next is closed with 4009 (an SSE stream: 429 too_many_user_connections)."),
    WS_MAX_MESSAGE_SIZE("ws.max-message-size", "64KiB", "size", "Largest inbound WebSocket frame or message; larger closes with 1009."),
    WS_SEND_QUEUE_SIZE("ws.send-queue-size", "1MiB", "size", "Bytes queued for one connection whose socket is backed up before it is closed as a slow consumer (4008; a Pusher connection 4100). While its socket still takes writes, a burst may queue up to 4 times this before the connection's event loop drains it."),
    WS_AUTH_TIMEOUT("ws.auth-timeout", "10s", "duration", "Time a connection may take to authenticate before it is closed with 4002."),
    WS_HEARTBEAT("ws.heartbeat", "20s", "duration", "Interval of server pings (and of the dead-peer check): each connection is pinged once per interval (an SSE stream gets a comment line), the pings of a node spread evenly over it."),
    WS_IDLE_TIMEOUT("ws.idle-timeout", "40s", "duration", "A connection silent this long (no frame, no pong) is dead and closed with 4010; detection takes at most idle-timeout + heartbeat (60 s by default)."),
    WS_MAX_TOPICS("ws.max-topics-per-connection", "100", "count", "Topics one connection may follow."),
    HTTP_MAX_BODY_SIZE("http.max-body-size", "1MiB", "size", "Largest HTTP request body; larger gets 413 payload_too_large."),
    HTTP_EVENT_LOOPS("http.event-loops", "", "count", "Event loops serving HTTP and WebSocket connections: one HTTP server per loop on the same port, new connections handed round robin. Empty: one per available processor. 1 keeps every connection on one core."),
    HTTP_HEADER_TIMEOUT("http.header-timeout", "10s", "duration", "Time a connection has to send a request's line and headers, from accept (or from the first byte of a later request); then it is answered 408 request_timeout and closed. Stops silent and slowloris sockets."),
    HTTP_IDLE_TIMEOUT("http.idle-timeout", "65s", "duration", "Time a keep-alive HTTP connection may wait, silent, for its next request before it is closed (longer than the 60 s idle timeout of common load balancers)."),
    HTTP_UPGRADE_TIMEOUT("http.upgrade-timeout", "10s", "duration", "Time from a request asking for an Upgrade (GET /ws) to its answer; a socket still waiting after it is closed."),
    HTTP_MAX_CONNECTIONS_PER_ADDRESS("http.max-connections-per-address", "2000", "count", "TCP connections (HTTP and WebSocket) one client IP address may hold; beyond, 429 too_many_connections_from_address. High by default for clients behind NAT; behind a proxy or load balancer every client shares its address: raise it above ws.max-connections."),
    API_MAX_BATCH("api.max-batch", "1000", "count", "Messages in one POST /api/v1/messages/batch."),
    STORE("store", "sqlite", "url", "Where durable messages live: sqlite (data-dir/herald.db), sqlite:/path/file.db, postgresql://user:password@host:5432/db, or memory (lost on restart)."),
    BROKER("broker", "memory", "url", "How nodes hand each other live messages: memory (one node), redis://[:password@]host:6379[/db] (a cluster; needs store postgresql://…), or postgres (LISTEN/NOTIFY on the store's database: a small cluster without Redis, each node's presence and stats its own). The store stays the truth: the broker is at most once. Its password is never logged."),
    CLUSTER_CHANNEL_PREFIX("cluster.channel-prefix", "herald", "name", "First part of every Redis channel name, so several clusters can share one Redis."),
    CLUSTER_SHARDS("cluster.shards", "16", "count", "Redis channels the user and topic streams are spread over (plus one for all); every node of a cluster must use the same count."),
    CLUSTER_MAX_IN_FLIGHT("cluster.max-in-flight", "10000", "count", "Envelopes the cluster broker has not yet passed on (Redis: publishes not yet answered; PostgreSQL: NOTIFYs waiting for the publishing connection); beyond, live fan-out to other nodes is skipped (their clients get those messages by replay) instead of queueing without bound."),
    CLUSTER_HEARTBEAT("cluster.heartbeat", "2s", "duration", "How often a node renews its heartbeat key (and its stats) in Redis."),
    CLUSTER_REDIS_TIMEOUT("cluster.redis-timeout", "3s", "duration", "A broker connection to Redis that leaves a PING, a probe through its own subscription (both sent every third of this) or its opening unanswered this long is taken as broken and opened again: a silent network split is noticed within this time. When the subscription is back, every connection catches up from the store."),
    CLUSTER_NODE_TTL("cluster.node-ttl", "6s", "duration", "Life of a heartbeat key: a node that stops renewing it drops out of cluster presence, stats, kicks and the per-user cap within this time. At least twice cluster.heartbeat."),
    MESSAGES_TTL("messages.ttl", "24h", "duration", "How long a stored message waits for its recipients when the publisher names no ttl."),
    MESSAGES_MAX_TTL("messages.max-ttl", "7d", "duration", "The longest ttl a publisher may ask for."),
    MESSAGES_INBOX_CAP("messages.inbox-cap", "1000", "count", "Messages kept per user inbox (and per topic); the oldest are dropped first and counted."),
    MESSAGES_RECEIPT_RETENTION("messages.receipt-retention", "24h", "duration", "How long a message and its receipts stay readable after its ttl ran out; idempotency keys are remembered at least this long."),
    MESSAGES_MAINTENANCE_INTERVAL("messages.maintenance-interval", "10s", "duration", "How often the inbox cap and ttl expiry are enforced and old messages purged."),
    RECEIPTS_WEBHOOK_URL("receipts.webhook-url", "", "url", "If set, every delivered/acked/read status change is POSTed here, batched and signed; failed batches are retried and dead-lettered as notify.* channel deliveries (channel receipt-webhook)."),
    RECEIPTS_WEBHOOK_SECRET("receipts.webhook-secret", "", "secret", "Signing secret of the receipt webhook (Standard Webhooks, whsec_<base64> or any string of 24+ bytes).", true),
    NOTIFY_CHANNELS("notify.channels", "webhook,email,wecom,dingtalk,feishu,slack", "list", "Notification channels enabled besides ws (in-app); email also needs email.smtp-host."),
    NOTIFY_DEFAULT_TITLE("notify.default-title", "Herald", "string", "Title (e-mail subject, robot heading) of notifications whose publisher gave none."),
    NOTIFY_ALLOW_LOOPBACK("notify.allow-loopback", "false", "boolean", "Allow webhook and robot targets on loopback (127.0.0.0/8, ::1). Off: such targets are refused (SSRF protection)."),
    NOTIFY_ALLOW_PRIVATE_NETWORKS("notify.allow-private-networks", "false", "boolean", "Allow targets in private and link-local ranges (10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16, fc00::/7, fe80::/10)."),
    NOTIFY_ALLOWED_NETWORKS("notify.allowed-networks", "", "list", "CIDR ranges allowed even though private, e.g. 10.1.2.0/24 for an internal webhook receiver."),
    NOTIFY_CONNECT_TIMEOUT("notify.connect-timeout", "5s", "duration", "Connect timeout of outbound webhook, robot and SMTP calls."),
    NOTIFY_TIMEOUT("notify.timeout", "15s", "duration", "Longest one delivery attempt may take, answer included; then it counts as failed and is retried."),
    NOTIFY_MAX_ATTEMPTS("notify.max-attempts", "8", "count", "Attempts per delivery before it becomes a dead letter (per channel: notify.<channel>.max-attempts)."),
    NOTIFY_RETRY_INITIAL("notify.retry-initial", "1s", "duration", "Delay before the first retry; it doubles per attempt, with jitter."),
    NOTIFY_RETRY_MAX("notify.retry-max", "10m", "duration", "Longest backoff between two attempts (an endpoint's longer Retry-After is still honoured)."),
    NOTIFY_DEADLINE("notify.deadline", "24h", "duration", "After this no further attempt is made and the delivery is dead-lettered (per channel: notify.<channel>.deadline)."),
    NOTIFY_MAX_IN_FLIGHT("notify.max-in-flight", "32", "count", "Attempts in progress at once per channel: a slow channel never holds up another."),
    NOTIFY_POLL_INTERVAL("notify.poll-interval", "1s", "duration", "How often due deliveries are looked for (new ones are started at once)."),
    NOTIFY_LEASE("notify.lease", "2m", "duration", "How long a delivery a node has started is that node's: if the node dies meanwhile, another node starts it again this long after it was claimed. Longer than notify.timeout plus 1s."),
    NOTIFY_WEBHOOK_MAX_ATTEMPTS("notify.webhook.max-attempts", "", "count", "webhook: attempts per delivery (empty: notify.max-attempts)."),
    NOTIFY_WEBHOOK_DEADLINE("notify.webhook.deadline", "", "duration", "webhook: give up after this (empty: notify.deadline)."),
    NOTIFY_EMAIL_MAX_ATTEMPTS("notify.email.max-attempts", "", "count", "email: attempts per delivery (empty: notify.max-attempts)."),
    NOTIFY_EMAIL_DEADLINE("notify.email.deadline", "", "duration", "email: give up after this (empty: notify.deadline)."),
    NOTIFY_WECOM_MAX_ATTEMPTS("notify.wecom.max-attempts", "", "count", "wecom: attempts per delivery (empty: notify.max-attempts)."),
    NOTIFY_WECOM_DEADLINE("notify.wecom.deadline", "", "duration", "wecom: give up after this (empty: notify.deadline)."),
    NOTIFY_DINGTALK_MAX_ATTEMPTS("notify.dingtalk.max-attempts", "", "count", "dingtalk: attempts per delivery (empty: notify.max-attempts)."),
    NOTIFY_DINGTALK_DEADLINE("notify.dingtalk.deadline", "", "duration", "dingtalk: give up after this (empty: notify.deadline)."),
    NOTIFY_FEISHU_MAX_ATTEMPTS("notify.feishu.max-attempts", "", "count", "feishu: attempts per delivery (empty: notify.max-attempts)."),
    NOTIFY_FEISHU_DEADLINE("notify.feishu.deadline", "", "duration", "feishu: give up after this (empty: notify.deadline)."),
    NOTIFY_SLACK_MAX_ATTEMPTS("notify.slack.max-attempts", "", "count", "slack: attempts per delivery (empty: notify.max-attempts)."),
    NOTIFY_SLACK_DEADLINE("notify.slack.deadline", "", "duration", "slack: give up after this (empty: notify.deadline)."),
    EMAIL_SMTP_HOST("email.smtp-host", "", "host", "SMTP server of the email channel; empty disables e-mail."),
    EMAIL_SMTP_PORT("email.smtp-port", "", "port", "SMTP port; empty: 587 (starttls), 465 (implicit) or 25 (none)."),
    EMAIL_TLS("email.tls", "starttls", "mode", "starttls (required: never sends in clear), starttls-optional, implicit (SMTPS) or none (a local relay only)."),
    EMAIL_TLS_TRUSTED_CERTIFICATES("email.tls-trusted-certificates", "", "path", "PEM file of the certificates to trust for the SMTP server (a private CA) instead of the JVM's."),
    EMAIL_USERNAME("email.username", "", "string", "SMTP login; empty: no authentication."),
    EMAIL_PASSWORD("email.password", "", "secret", "SMTP password (required with email.username).", true),
    EMAIL_FROM("email.from", "", "address", "Sender: noreply@example.com or Herald <noreply@example.com>; required with email.smtp-host."),
    PUSHER_APP_ID("pusher.app-id", "", "string", "Enables the Pusher protocol 7 endpoint (ws /app/{key}, HTTP /apps/{id}/…) for this app id; pusher.key and pusher.secret are then required. Empty: no Pusher endpoint."),
    PUSHER_KEY("pusher.key", "", "string", "Pusher app key: public, in client URLs (/app/{key}) and in auth strings (key:signature)."),
    PUSHER_SECRET("pusher.secret", "", "secret", "Pusher app secret: signs channel and user auth and the HTTP API (HMAC-SHA256), at least 8 characters.", true),
    PUSHER_CLIENT_EVENTS("pusher.client-events", "true", "boolean", "Whether clients may send client-* events on private and presence channels (at most 10 per second per connection, else 4301)."),
    PUSHER_ACTIVITY_TIMEOUT("pusher.activity-timeout", "120s", "duration", "activity_timeout sent in connection_established: a client pings after this much silence. A connection silent for twice this is closed with 4201."),
    PUSHER_MAX_EVENT_SIZE("pusher.max-event-size", "10KiB", "size", "Largest event data (HTTP API and client events), as Pusher's 10 KB; larger gets 413 (HTTP) or pusher:error (client events)."),
    PUSHER_SUBSCRIPTION_COUNT("pusher.subscription-count", "false", "boolean", "Pusher's subscription counting: subscribers of a public or private channel get pusher_internal:subscription_count (and a subscription_count webhook goes out) about a second after its count changed."),
    PUSHER_WEBHOOK_URL("pusher.webhook-url", "", "url", "If set, Pusher webhooks (channel_occupied, channel_vacated, member_added, member_removed, client_event, cache_miss, subscription_count) are POSTed here, signed with X-Pusher-Key and X-Pusher-Signature; failed ones are retried and dead-lettered as notify.* channel deliveries (channel pusher-webhook)."),
    PUSHER_MAX_PRESENCE_MEMBERS("pusher.max-presence-members", "100", "count", "Distinct users one presence channel holds; the next subscription is refused with pusher:subscription_error."),
    SHUTDOWN_DRAIN_DELAY("shutdown.drain-delay", "0s", "duration", "On SIGTERM, how long /health/ready answers 503 (and new connections are refused) before the open connections are closed: give a load balancer's health check time to take the node out, so reconnecting clients go elsewhere. 0: close at once (one node)."),
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
