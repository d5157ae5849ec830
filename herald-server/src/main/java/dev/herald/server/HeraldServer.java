package dev.herald.server;

import dev.herald.core.LogSafe;
import dev.herald.core.PushCenter;
import dev.herald.core.auth.Authenticator;
import dev.herald.core.auth.DevAuthenticator;
import dev.herald.core.broker.Broker;
import dev.herald.core.broker.BrokerEnvelope;
import dev.herald.core.broker.BrokerListener;
import dev.herald.core.delivery.Durability;
import dev.herald.core.delivery.RecipientStore;
import dev.herald.core.delivery.ReceiptListener;
import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.message.Durations;
import dev.herald.core.session.CloseReason;
import dev.herald.core.notify.Notifications;
import dev.herald.core.notify.NotifyDispatcher;
import dev.herald.core.notify.NotifyStore;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.StoreLimits;
import dev.herald.server.admin.AdminRoutes;
import dev.herald.server.admin.HeraldMetrics;
import dev.herald.server.admin.NotifyMeters;
import dev.herald.server.api.NotifyRoutes;
import dev.herald.server.api.ApiRoutes;
import dev.herald.server.api.ConsoleRoutes;
import dev.herald.server.api.ErrorRenderer;
import dev.herald.server.api.MethodRoutes;
import dev.herald.server.auth.ApiKeys;
import dev.herald.server.auth.JwtAuthenticator;
import dev.herald.server.auth.PemKeys;
import dev.herald.server.cluster.Brokers;
import dev.herald.server.cluster.PostgresBroker;
import dev.herald.server.cluster.RedisBroker;
import dev.herald.server.cluster.ClusterViews;
import dev.herald.server.cluster.LocalClusterViews;
import dev.herald.server.cluster.RedisClusterViews;
import dev.herald.server.pusher.PusherCluster;
import dev.herald.server.cluster.StatsJson;
import dev.herald.server.config.ConfigException;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.net.ConnectionLimit;
import dev.herald.server.net.HttpConnectionGuard;
import dev.herald.server.net.HttpLimits;
import dev.herald.server.net.HttpListeners;
import dev.herald.server.net.StoppingAcceptLog;
import dev.herald.server.net.NetworkTransport;
import dev.herald.server.net.VertxInternals;
import dev.herald.server.pusher.Pusher;
import dev.herald.server.pusher.PusherWebhookNotifier;
import dev.herald.server.receipts.ReceiptWebhook;
import dev.herald.server.receipts.ReceiptWebhookNotifier;
import dev.herald.server.store.JdbcMessageStore;
import dev.herald.server.store.MessageStores;
import dev.herald.server.web.StaticRoutes;
import dev.herald.server.sse.SseEndpoint;
import dev.herald.server.sse.UserAcks;
import dev.herald.server.ws.WebSocketEndpoint;
import dev.herald.server.ws.WebSocketOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The composition root: builds every component with plain {@code new} from a {@link HeraldConfig},
 * starts the HTTP/WebSocket server, and shuts it down gracefully. Nothing else wires components.
 */
public final class HeraldServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeraldServer.class);
    public static final String VERSION = version();

    private final HeraldConfig config;
    private final Clock clock;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final HubStats stats = new HubStats();
    private final Hub hub;
    private final Broker broker;
    private final ClusterViews views;
    private final MessageStore store;
    private final PushCenter center;
    private final Vertx vertx;
    private final WebSocketEndpoint webSockets;
    /** The Pusher protocol 7 endpoint, or {@code null} when pusher.app-id is not set. */
    private final Pusher pusher;
    private final SseEndpoint eventStreams;
    private final UserAcks userAcks;
    private final HeraldMetrics metrics;
    private final ConnectionLimit connectionLimit;
    private final RecipientStore recipientStore;
    private final ReceiptWebhook receiptWebhook;
    private final NotifyChannels channels;
    private final NotifyDispatcher dispatcher;
    private final NotifyStore notifyStore;
    private final AtomicBoolean maintaining = new AtomicBoolean();
    private long maintenanceTimer = -1;
    private long httpSweepTimer = -1;
    private final HttpConnectionGuard httpGuard;
    private HttpListeners http;

    public HeraldServer(HeraldConfig config) {
        this(config, Clock.systemUTC());
    }

    public HeraldServer(HeraldConfig config, Clock clock) {
        this(config, clock, Brokers.open(config.cluster().broker(), config.store(), config.nodeId(), config.cluster().channelPrefix(),
                config.cluster().shards(), config.cluster().maxInFlight(), config.cluster().redisTimeout()));
    }

    /** With a given broker: the seam where a cluster broker plugs in (and tests put a broker with failure switches). */
    public HeraldServer(HeraldConfig config, Clock clock, Broker broker) {
        this(config, clock, broker, MessageStores.open(config.store(), config.dataDir(), storeLimits(config)));
    }

    /** With a given broker and store (tests put a store with failure switches here). */
    public HeraldServer(HeraldConfig config, Clock clock, Broker broker, MessageStore store) {
        this.config = config;
        this.clock = clock;
        this.hub = new Hub(config.maxConnectionsPerUser(), stats);
        this.connectionLimit = new ConnectionLimit(config.maxConnections());
        this.httpGuard = new HttpConnectionGuard(config.http());
        this.broker = broker;
        this.store = store;
        this.vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true)
                // at least one loop per HTTP server, so that http.event-loops servers never share a loop
                .setEventLoopPoolSize(Math.max(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, config.eventLoops())));
        boolean receiptWebhookSet = !config.receiptWebhookUrl().isEmpty();
        this.channels = new NotifyChannels(vertx, config.notifications(), receiptWebhookSet ? config.receiptWebhookSecret() : null,
                config.pusher().webhookUrl().isEmpty() ? null : config.pusher());
        this.notifyStore = MessageStores.notifyStore(store);
        Notifications notifications = new Notifications(channels.notifiers(), notifyStore,
                channel -> channels.policy(channel).retry().deadline(), config.notifications().defaultTitle());
        // the WebSocket endpoint is built below (it needs the recipient store, which needs the dispatcher, which needs the
        // meters); the connections gauge reads it only once the server runs
        java.util.concurrent.atomic.AtomicReference<WebSocketEndpoint> endpoint = new java.util.concurrent.atomic.AtomicReference<>();
        this.metrics = new HeraldMetrics(hub, stats, () -> endpoint.get() == null ? 0 : endpoint.get().openConnections());
        metrics.bindConnectionLimit(connectionLimit);
        metrics.bindHttpGuard(httpGuard);
        this.dispatcher = new NotifyDispatcher(channels.dispatched(), notifyStore, store, channels::policy,
                new NotifyMeters(metrics.registry()), clock,
                config.notifications().pollInterval(), config.notifications().lease());
        notifications.signals(dispatcher);
        metrics.bindNotifyInFlight(channels.dispatched().channels(), dispatcher::inFlight);
        // receipts become deliveries of their own channel: the dispatcher retries and dead-letters them
        this.receiptWebhook = !receiptWebhookSet ? null : new ReceiptWebhook(config.receiptWebhookUrl(), notifyStore, dispatcher,
                clock, channels.policy(ReceiptWebhookNotifier.CHANNEL).retry().deadline());
        ReceiptListener receipts = receiptWebhook == null ? dispatcher::onStatus
                : update -> { dispatcher.onStatus(update); receiptWebhook.onStatus(update); };
        this.recipientStore = new RecipientStore(store, clock, stats, receipts, config.inboxCap() * 4);
        this.center = new PushCenter(hub, broker, stats, clock, config.nodeId(), VERSION, store, recipientStore,
                new Durability(config.messageTtl(), config.maxMessageTtl()), notifications);
        Authenticator authenticator = config.devMode() ? new DevAuthenticator()
                : new JwtAuthenticator(config.jwtSecret(), config.jwtPublicKey() == null ? null : PemKeys.readPublicKey(config.jwtPublicKey()),
                        config.jwtIssuer(), config.jwtAudience(), config.jwtLeeway(), clock);
        this.views = broker instanceof RedisBroker
                ? new RedisClusterViews(vertx, config.cluster().broker(), config.nodeId(), config.cluster().channelPrefix(),
                        config.cluster().heartbeat(), config.cluster().nodeTtl(), center, hub, stats, config.maxConnectionsPerUser(),
                        () -> StatsJson.of(center.stats(), NetworkTransport.of(vertx).name()))
                : new LocalClusterViews(center, config.nodeId());
        if (views instanceof RedisClusterViews redisViews) {
            hub.observe(redisViews);
            center.onlineElsewhere(redisViews::onlineElsewhere);
        }
        this.webSockets = new WebSocketEndpoint(vertx, hub, stats, authenticator, config, clock, draining::get, recipientStore, connectionLimit);
        endpoint.set(webSockets);
        this.pusher = config.pusher().enabled()
                ? new Pusher(vertx, hub, stats, center, config.pusher(), clock, draining::get, config.sendQueueBytes(),
                        config.maxMessageSize(), config.maxBodySize(),
                        notifyStore, dispatcher, channels.policy(PusherWebhookNotifier.CHANNEL).retry().deadline(), connectionLimit, recipientStore,
                        // on Redis the Pusher channels are the cluster's; on the PostgreSQL broker they stay per node
                        views instanceof RedisClusterViews redisViews ? new PusherCluster(config.cluster().broker(),
                                config.cluster().channelPrefix(), redisViews.instance(), config.cluster().heartbeat(),
                                config.cluster().nodeTtl()) : null,
                        views::kick)
                : null;
        this.eventStreams = new SseEndpoint(vertx, hub, stats, authenticator, config, clock, draining::get, recipientStore, connectionLimit);
        this.userAcks = new UserAcks(authenticator, recipientStore, draining::get, config.allowedOrigins());
        metrics.bindOpenConnections("sse", eventStreams::openStreams);
        metrics.bindSseClosingTimeouts(eventStreams.closingTimeouts());
        if (pusher != null) {
            metrics.bindOpenConnections("pusher", pusher::openConnections);
        }
        if (broker instanceof RedisBroker redis) {
            metrics.bindBroker(redis.counters(), redis::connected);
        } else if (broker instanceof PostgresBroker postgres) {
            metrics.bindBroker(postgres.counters(), postgres::connected);
        }
        if (store instanceof JdbcMessageStore jdbc) {
            metrics.bindStoreCommits(jdbc, JdbcMessageStore::commits, JdbcMessageStore::failedCommits);
            jdbc.observeGroupSizes(metrics.bindStoreWriter(jdbc, JdbcMessageStore::queuedMessages));
            if (jdbc.isSqlite()) {
                metrics.bindSqliteWal(jdbc, JdbcMessageStore::walBytes, JdbcMessageStore::writerCheckpoints);
            }
        }
    }

    /** Starts listening; returns once the port is bound. Throws when it cannot be (port in use…). */
    public HeraldServer start() {
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            releaseResources(); // the constructor already started Vert.x threads
            throw new ConfigException("data-dir: cannot create " + config.dataDir() + ": " + e.getMessage());
        }
        broker.start(new BrokerListener() {
            @Override
            public int onEnvelope(BrokerEnvelope envelope) {
                return hub.deliver(envelope.targets(), envelope.message());
            }

            @Override
            public void resubscribed() {
                // the envelopes of the outage are gone for good: every connection reads what it missed from the store now
                int reads = hub.catchUp();
                if (reads > 0) {
                    log.info("cluster broker back: {} connections catch up on {} streams from the store", hub.connectionCount(), reads);
                }
            }
        });
        if (views instanceof RedisClusterViews redisViews) {
            redisViews.start();
        }
        ApiRoutes api = new ApiRoutes(center, views, new ApiKeys(config.apiKeys()), config.maxBodySize(), config.maxBatch(), draining::get, metrics.registry());
        try {
            http = HttpListeners.listen(vertx, config.eventLoops(), HttpLimits.apply(WebSocketOptions.httpServerOptions(config), config),
                    connection -> httpGuard.admit(VertxInternals.channel(connection),
                            channel -> connectionLimit.admit(channel, httpGuard::evictOldestIdle)),
                    () -> api.withSendShortcut(router(api)), ErrorRenderer::renderInvalid, 30);
        } catch (Exception e) {
            releaseResources();
            throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        webSockets.startSweeps();
        if (pusher != null) {
            pusher.startSweeps();
        }
        eventStreams.startSweeps();
        httpSweepTimer = vertx.setPeriodic(httpGuard.sweepIntervalMillis(), id -> httpGuard.sweep());
        maintenanceTimer = vertx.setPeriodic(config.maintenanceInterval().toMillis(), id -> maintain());
        if (receiptWebhook != null) {
            receiptWebhook.start();
        }
        dispatcher.start();
        logStarted();
        return this;
    }

    /**
     * One Router per HTTP server (vertx-web's advice: a Router belongs to one verticle instance); the route
     * handlers behind it are shared and thread-safe, as every event loop calls them.
     */
    private Router router(ApiRoutes api) {
        Router router = Router.router(vertx);
        router.route().handler(ApiRoutes::rejectMalformedQuery);
        MethodRoutes methods = MethodRoutes.mount(router);
        router.get("/ws").handler(webSockets::handle);
        router.get("/ws/origin").handler(webSockets::checkOrigin);
        if (pusher != null) {
            pusher.mount(router);
        }
        // end users' routes under /api/v1, authenticated as /ws is (a user's token), so mounted before the API-key guard
        router.get("/api/v1/events").handler(eventStreams::handle);
        router.options("/api/v1/users/:uid/acks").handler(userAcks::preflight);
        router.post("/api/v1/users/:uid/acks").handler(io.vertx.ext.web.handler.BodyHandler.create(false)
                .setBodyLimit(config.maxBodySize()).setHandleFileUploads(false)).handler(userAcks::handle);
        new AdminRoutes(metrics, api, draining::get).mount(router);
        new StaticRoutes(config.devMode(), config.consoleEnabled()).mount(router);
        api.mount(router);
        new NotifyRoutes(center.notifications(), clock, config.maxBodySize()).mount(router);
        new ConsoleRoutes(hub, store, center.notifications(), config, clock,
                store instanceof JdbcMessageStore jdbc ? jdbc::failedCommits : () -> 0).mount(router);
        io.vertx.core.Handler<io.vertx.ext.web.RoutingContext> failures = ctx -> {
            if (ctx.statusCode() == 405) {
                methods.allow(ctx);
            }
            ErrorRenderer.renderFailure(ctx);
        };
        router.route().failureHandler(failures);
        for (int status : new int[] {404, 405, 413, 415, 400, 500}) {
            router.errorHandler(status, failures);
        }
        return router;
    }

    private static StoreLimits storeLimits(HeraldConfig config) {
        return new StoreLimits(config.inboxCap(), config.receiptRetention());
    }

    /** Enforces the inbox cap and TTL and purges old messages; overlapping runs are skipped. */
    private void maintain() {
        if (!maintaining.compareAndSet(false, true)) {
            return;
        }
        long now = clock.millis();
        // sent and cancelled channel deliveries go as their messages do: after the receipt retention (dead letters stay)
        store.maintain(now).thenCombine(notifyStore.purgeFinished(now - config.receiptRetention().toMillis()), (m, purged) -> m)
                .whenComplete((m, error) -> {
                    maintaining.set(false);
                    if (error != null) {
                        log.warn("store maintenance failed: {}", LogSafe.value(error.getMessage()));
                    } else {
                        metrics.maintained(m);
                    }
                });
    }

    /**
     * A short banner at INFO (what an operator checks at a glance: version, URL, mode, store, data dir, node)
     * and the full configuration at DEBUG, secrets masked. Dev mode stays loud: its warning follows the banner.
     */
    private void logStarted() {
        log.info("Herald {} listening on http://{}:{} (WebSocket: ws://{}:{}/ws)", VERSION, config.host(), port(), config.host(), port());
        log.info("  mode: {}", config.devMode() ? "dev (no authentication; loopback only)" : "auth (client JWTs, API keys for HTTP)");
        log.info("  node: {}; store: {}; data dir: {}", config.nodeId(), store.describe(), config.dataDir());
        if (config.cluster().clustered()) {
            log.info("  cluster: broker {}", broker);
        }
        if (pusher != null) {
            log.info("  pusher: app {} on ws://{}:{}/app/{} and http://{}:{}/apps/{}", config.pusher().appId(), config.host(), port(),
                    config.pusher().key(), config.host(), port(), config.pusher().appId());
        }
        log.info("  full configuration: herald config (same flags), or log.level=DEBUG");
        if (config.devMode()) {
            log.warn("""

                    ************************************************************************
                    DEV MODE: no auth.jwt-secret / auth.jwt-public-key / auth.api-keys set.
                    Anyone who can reach {}:{} may log in as any user and push to anyone.
                    Herald allows this on loopback only. Configure auth before exposing it.
                    ************************************************************************""", config.host(), port());
        }
        log.debug("network transport: {}; {} event loop(s) serve HTTP and WebSocket connections (http.event-loops)",
                NetworkTransport.of(vertx).describe(), http.count());
        log.debug("notification channels: ws{}", channels.notifiers().channels().stream().map(c -> ", " + c).reduce("", String::concat));
        if (log.isDebugEnabled()) {
            log.debug("configuration:\n{}", config.describe());
        }
    }

    /** The bound port (useful with {@code port: 0}). */
    public int port() {
        return http.port();
    }

    /** How many event loops serve HTTP and WebSocket connections ({@code http.event-loops}). */
    public int eventLoops() {
        return http.count();
    }

    /** Test hook: how many distinct event loops hold the WebSocket connections open now. */
    public int eventLoopsWithWebSockets() {
        return webSockets.eventLoopsInUse();
    }

    public HeraldConfig config() {
        return config;
    }

    public PushCenter pushCenter() {
        return center;
    }

    public Hub hub() {
        return hub;
    }

    /** Presence, stats and kicks: this node's, or the cluster's through Redis. */
    public ClusterViews views() {
        return views;
    }

    /** The broker this node fans out through (memory, or Redis in a cluster). */
    public Broker broker() {
        return broker;
    }

    public MessageStore store() {
        return store;
    }

    /** http.* timeouts and the per-address cap: what they closed and refused. */
    public HttpConnectionGuard httpGuard() {
        return httpGuard;
    }

    /** ws.max-connections and what it counts and refused. */
    public ConnectionLimit connectionLimit() {
        return connectionLimit;
    }

    public HubStats stats() {
        return stats;
    }

    public boolean draining() {
        return draining.get();
    }

    /**
     * The first phase of {@link #shutdown} on its own: from now on the API and {@code /ws} answer
     * 503 {@code shutting_down} and {@code /health} reports DRAINING, while open connections are
     * still served. Irreversible; call {@link #shutdown} to finish.
     */
    public void beginDraining() {
        draining.set(true);
    }

    /**
     * Graceful stop: refuse new work (API 503, health 503), close every connection with 1001, wait
     * up to {@code grace} for them to finish closing, then release the port and threads. Idempotent.
     */
    public void shutdown(Duration grace) {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        draining.set(true);
        Duration drainDelay = config.shutdownDrainDelay();
        if (drainDelay.isPositive()) {
            // health answers 503 from now: the load balancer takes this node out before its clients are told to reconnect
            log.info("draining: /health/ready answers 503; {} connections stay open for {} (shutdown.drain-delay)",
                    openClientConnections(), Durations.format(drainDelay));
            long until = System.nanoTime() + drainDelay.toNanos();
            while (System.nanoTime() < until && openClientConnections() > 0) {
                try {
                    Thread.sleep(Math.min(50, Math.max(1, (until - System.nanoTime()) / 1_000_000))); // a timed wait in shutdown, not test synchronisation
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        log.info("shutting down: closing {} connections (grace {})", openClientConnections(), Durations.format(grace));
        webSockets.stopSweeps();
        eventStreams.stopSweeps();
        webSockets.closeAll(CloseReason.GOING_AWAY);
        eventStreams.closeAll(CloseReason.GOING_AWAY);
        if (pusher != null) {
            pusher.stopSweeps();
            pusher.closeAll();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (openClientConnections() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20); // polling a counter during shutdown, not synchronising a test
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (openClientConnections() > 0) {
            log.warn("{} connections did not close within {}; dropping them", openClientConnections(), Durations.format(grace));
        }
        releaseResources();
        log.info("stopped");
    }

    /** Herald WebSockets, SSE streams and Pusher WebSockets open now. */
    private int openClientConnections() {
        return webSockets.openConnections() + eventStreams.openStreams() + (pusher == null ? 0 : pusher.openConnections());
    }

    /** The SSE endpoint ({@code GET /api/v1/events}): its open streams and counters. */
    public SseEndpoint eventStreams() {
        return eventStreams;
    }

    /** The Pusher endpoint, or {@code null} when {@code pusher.app-id} is not set. */
    public Pusher pusher() {
        return pusher;
    }

    /**
     * Stops at once, as a crash (SIGKILL, a power cut) would, for tests of what the rest of a cluster does then: no
     * drain, no close frames (the sockets just drop), no goodbye to the cluster (its heartbeat and presence entries
     * stay in Redis until {@code cluster.node-ttl} expires them), its notification leases left to expire, and nothing
     * written to the store after this call begins (the store is closed first). Not for production use: {@link #close}.
     */
    public void halt() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        log.warn("halting: no drain, no goodbye (a crash, as far as the cluster can tell)");
        try {
            // the OS would reset a killed process's sockets at once; closing Vert.x need not (a client then waits on
            // a silent connection, which is a network split, not a crash): every client transport is dropped here
            webSockets.abortAll();
            eventStreams.abortAll();
            if (pusher != null) {
                pusher.halt(); // before its sockets drop: their leaving must not reach the cluster, as with a crash
                pusher.abortAll();
            }
            store.close();
            vertx.close().await(10, TimeUnit.SECONDS); // every socket, the views' Redis connection and timers with it
            broker.close();
            dispatcher.close();
            channels.close();
        } catch (Exception e) {
            log.warn("error while halting: {}", e.toString());
        }
        metrics.close();
    }

    /** Releases the port, the broker, the Vert.x threads and the meters; used by shutdown and by a failed start. */
    private void releaseResources() {
        try (StoppingAcceptLog stoppingAccepts = StoppingAcceptLog.install()) {
            if (http != null) {
                http.close(10);
            }
            vertx.cancelTimer(maintenanceTimer);
            vertx.cancelTimer(httpSweepTimer);
            if (receiptWebhook != null) {
                receiptWebhook.close(); // before the store: receipts still queued are recorded, sent at the next start
            }
            dispatcher.close(); // before the store: attempts under way are recorded, the rest resume at the next start
            channels.close();
            if (pusher != null) {
                pusher.close();
            }
            views.close(); // leaves the cluster's views at once instead of after cluster.node-ttl
            broker.close();
            store.close(); // after the port: no publish can start once the store is closing
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("error while stopping: {}", e.toString());
        }
        metrics.close();
    }

    @Override
    public void close() {
        shutdown(config.shutdownGrace());
    }

    private static String version() {
        String v = HeraldServer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
