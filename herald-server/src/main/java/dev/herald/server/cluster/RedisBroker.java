package dev.herald.server.cluster;

import dev.herald.core.LogSafe;
import dev.herald.core.broker.Broker;
import dev.herald.core.broker.BrokerEnvelope;
import dev.herald.core.broker.BrokerListener;
import dev.herald.core.store.StreamPosition;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cluster broker: envelopes go between nodes over Redis pub/sub ({@link RedisChannels}, {@link EnvelopeCodec}).
 *
 * <p>Guarantee: at most once, as the {@link Broker} contract says; the store is the truth. {@link #publish} hands
 * the envelope to this node's hub at once, on the calling thread, then queues it for Redis and returns: it never
 * waits for Redis nor for another node, and never fails because Redis is down (the envelope is then not sent and
 * {@link BrokerCounters#dropped} counts it). Another node's clients get such a message when the next message of its stream shows
 * them the hole (the read rule fills it from the store) or when they reconnect and resume by position.
 *
 * <p>Order: one connection publishes, in call order, and one subscribes; Redis forwards one connection's
 * publishes in order, so each stream's envelopes from one node arrive at every node in the order that node
 * published them (its commit order). Envelopes of one stream from several nodes may interleave out of position
 * order: the read rule holds the early ones until the hole is filled.
 *
 * <p>Both connections reconnect by themselves (100 ms, doubling up to {@link #MAX_RECONNECT_DELAY}); a node whose
 * Redis is down at start starts all the same and connects when Redis comes. Every third of {@code timeout}, the
 * publishing connection sends a PING and a probe to a channel only this broker subscribes to; a publishing connection
 * whose PING (or a connection whose opening) goes unanswered for {@code timeout}, or a subscription that has not
 * received a probe Redis accepted that long ago, is taken as broken and opened again. So a silent split (no TCP
 * reset, nothing answers) is noticed within that time, not when the operating system gives up on the socket. (A PING
 * on the subscribed connection itself would not do: its answer is not a reply there but a push.) A socket that reads
 * nothing for {@code timeout} is closed as well. Each time the subscription is made, the listener is told
 * ({@link BrokerListener#resubscribed}): the envelopes of the time without it are lost to this node, and its sessions
 * catch up from the store. Redis I/O runs on a Vert.x instance of its own (one event loop), apart from the client
 * connections' loops. Thread-safe.
 */
public final class RedisBroker implements Broker {
    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);
    static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(2);
    /** Without a timeout named: the default of {@code cluster.redis-timeout}. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);
    private static final long FIRST_RECONNECT_DELAY_MS = 100;

    private final String redactedUrl;
    private final String origin;
    private final RedisChannels channels;
    private final int maxInFlight;
    private final String url;
    private final long timeoutMs;
    private final String probeChannel;
    /** On the broker's context: when Redis accepted the oldest probe the subscription has not received yet (0: none). */
    private long probeUnseenSince;
    /** Made by {@link #start}, so that a node whose start fails before it holds no Redis threads. */
    private volatile Vertx vertx;
    private volatile Context context;
    private volatile Redis client;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final BrokerCounters counters = new BrokerCounters();
    private volatile BrokerListener listener;
    private volatile RedisConnection publisher;
    private volatile RedisConnection subscriber;
    private volatile boolean subscribed;
    private volatile boolean closed;
    /**
     * Some envelope of this node never reached Redis since the last catch-up request: the other nodes' sessions miss
     * those messages (they are in the store) until they catch up, which {@link #askForCatchUp} asks them to do.
     */
    private volatile boolean owesCatchUp;
    private long publisherDelay = FIRST_RECONNECT_DELAY_MS;
    private long subscriberDelay = FIRST_RECONNECT_DELAY_MS;

    /**
     * @param url         {@code redis://…} (checked by {@link RedisUrl#parse})
     * @param nodeId      this node's name, for logs; the envelopes name a per-process instance, so two nodes given
     *                    the same node id still never take each other's envelopes for their own
     * @param channels    the cluster's channels (every node the same)
     * @param maxInFlight publishes sent and not yet answered before further ones are dropped
     */
    public RedisBroker(String url, String nodeId, RedisChannels channels, int maxInFlight) {
        this(url, nodeId, channels, maxInFlight, DEFAULT_TIMEOUT);
    }

    /** @param timeout how long a PING or a connection's opening may go unanswered before the connection is taken as broken */
    public RedisBroker(String url, String nodeId, RedisChannels channels, int maxInFlight, Duration timeout) {
        RedisUrl.parse(url);
        this.timeoutMs = Math.max(30, timeout.toMillis());
        this.redactedUrl = RedisUrl.redact(url);
        this.origin = nodeId + "/" + StreamPosition.newEpoch();
        this.channels = channels;
        this.maxInFlight = maxInFlight;
        this.url = url;
        this.probeChannel = channels.probe(origin);
    }

    @Override
    public synchronized void start(BrokerListener listener) {
        if (vertx != null || closed) {
            throw new IllegalStateException("a broker starts once");
        }
        this.listener = listener;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
        this.context = vertx.getOrCreateContext();
        RedisOptions options = new RedisOptions().setConnectionString(url)
                .setMaxPoolSize(4).setMaxWaitingHandlers(Math.max(maxInFlight, 16));
        // a socket that reads nothing for the timeout is closed (PINGs and probes keep a live one busy): a silent split also
        // frees the sockets stuck in their opening handshake, which would otherwise hold the pool's places for good
        options.getNetClientOptions().setConnectTimeout((int) timeoutMs)
                .setReadIdleTimeout((int) timeoutMs).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        this.client = Redis.createClient(vertx, options);
        context.runOnContext(v -> {
            connectPublisher();
            connectSubscriber();
            vertx.setPeriodic(Math.max(10, timeoutMs / 3), id -> probe());
        });
        log.info("cluster broker: {} (instance {}), channels {}", redactedUrl, origin, channels.all().size());
    }

    /**
     * Delivers to this node's sessions now and queues the envelope for the other nodes; returns the number of
     * sessions on this node that accepted it.
     */
    @Override
    public int publish(BrokerEnvelope envelope) {
        BrokerListener current = listener;
        int local = current == null ? 0 : current.onEnvelope(envelope);
        RedisConnection connection = publisher;
        if (closed || connection == null) {
            counters.dropped.increment();
            owesCatchUp = true;
            return local;
        }
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            counters.dropped.increment();
            owesCatchUp = true;
            return local;
        }
        Request request = Request.cmd(Command.PUBLISH).arg(channels.of(envelope.targets())).arg(EnvelopeCodec.encode(origin, envelope));
        // one context, tasks in submission order: the publishes of one thread (the store's commit step) keep their order
        context.runOnContext(v -> connection.send(request).onComplete(ar -> {
            inFlight.decrementAndGet();
            if (ar.succeeded()) {
                counters.sent.increment();
            } else {
                counters.dropped.increment();
                owesCatchUp = true;
            }
        }));
        return local;
    }

    /**
     * On the broker's context: when envelopes of this node were dropped, asks every other node, over the catch-up
     * channel, to have its sessions read their streams from the store. Those messages were committed before their
     * envelopes were dropped, so a catch-up after this request finds them. A request that fails is asked again.
     */
    private void askForCatchUp(RedisConnection p) {
        if (!owesCatchUp || closed) {
            return;
        }
        owesCatchUp = false; // a drop from now on owes another request
        p.send(Request.cmd(Command.PUBLISH).arg(channels.catchUp()).arg(origin)).onComplete(ar -> {
            if (ar.succeeded()) {
                counters.catchUpsAsked.increment();
            } else {
                owesCatchUp = true;
            }
        });
    }

    private void connectPublisher() {
        if (closed) {
            return;
        }
        connectWithin().onComplete(ar -> {
            if (ar.failed()) {
                publisherDelay = retry(this::connectPublisher, publisherDelay, "publish", ar.cause());
                return;
            }
            RedisConnection c = ar.result();
            c.exceptionHandler(e -> lost(c, false, e));
            c.endHandler(v -> lost(c, false, null));
            publisherDelay = FIRST_RECONNECT_DELAY_MS;
            publisher = c;
            log.info("cluster broker: publishing to {}", redactedUrl);
            askForCatchUp(c);
        });
    }

    private void connectSubscriber() {
        if (closed) {
            return;
        }
        connectWithin().onComplete(ar -> {
            if (ar.failed()) {
                subscriberDelay = retry(this::connectSubscriber, subscriberDelay, "subscribe", ar.cause());
                return;
            }
            RedisConnection c = ar.result();
            c.handler(this::onPush);
            c.exceptionHandler(e -> lost(c, true, e));
            c.endHandler(v -> lost(c, true, null));
            subscriber = c;
            Request subscribe = Request.cmd(Command.SUBSCRIBE);
            for (String channel : channels.all()) {
                subscribe.arg(channel);
            }
            subscribe.arg(probeChannel).arg(channels.catchUp());
            c.send(subscribe).onComplete(s -> {
                if (s.failed()) {
                    lost(c, true, s.cause());
                    return;
                }
                if (subscriber != c) {
                    c.close(); // given up on meanwhile (no answer in time): another connection takes its place
                    return;
                }
                subscriberDelay = FIRST_RECONNECT_DELAY_MS;
                subscribed = true;
                probeUnseenSince = 0;
                counters.subscriptions.increment();
                log.info("cluster broker: subscribed to {} channels on {}", channels.all().size(), redactedUrl);
                BrokerListener current = listener;
                if (current != null) {
                    // also on the first subscription: sessions may have logged in while Redis was not there yet
                    current.resubscribed();
                }
            });
        });
    }

    /**
     * A connection, or a failure when it does not answer within the timeout (a silent split: the socket stays open and
     * nothing comes back). A late answer closes the connection it brings.
     */
    private io.vertx.core.Future<RedisConnection> connectWithin() {
        io.vertx.core.Promise<RedisConnection> result = io.vertx.core.Promise.promise();
        long timer = vertx.setTimer(timeoutMs, id -> result.tryFail("no answer from Redis within " + timeoutMs + " ms"));
        client.connect().onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded() && !result.tryComplete(ar.result())) {
                ar.result().close();
            } else if (ar.failed()) {
                result.tryFail(ar.cause());
            }
        });
        return result.future();
    }

    /**
     * On the broker's context, every third of the timeout: a PING on the publishing connection (no answer within the
     * timeout, or a failure, and it counts as lost), and a probe through Redis to this broker's own subscription (one
     * Redis accepted and the subscription has not received within the timeout, and the subscription counts as lost).
     */
    private void probe() {
        RedisConnection p = publisher;
        RedisConnection s = subscriber;
        if (closed || p == null) {
            return;
        }
        if (s != null && subscribed && probeUnseenSince != 0 && System.nanoTime() - probeUnseenSince > timeoutMs * 1_000_000) {
            lost(s, true, new java.util.concurrent.TimeoutException("no probe came back within " + timeoutMs + " ms"));
        }
        long timer = vertx.setTimer(timeoutMs, id -> lost(p, false,
                new java.util.concurrent.TimeoutException("no answer to PING within " + timeoutMs + " ms")));
        p.send(Request.cmd(Command.PING)).onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.failed()) {
                lost(p, false, ar.cause());
            }
        });
        askForCatchUp(p);
        if (s != null && subscribed) {
            p.send(Request.cmd(Command.PUBLISH).arg(probeChannel).arg("probe")).onComplete(ar -> {
                if (ar.succeeded() && probeUnseenSince == 0 && subscriber == s) {
                    probeUnseenSince = System.nanoTime();
                }
            });
        }
    }

    /** A connection broke: forget it once, and connect again (on the broker's context). */
    private void lost(RedisConnection c, boolean subscribing, Throwable cause) {
        context.runOnContext(v -> {
            if (subscribing ? subscriber != c : publisher != c) {
                return; // already replaced
            }
            if (subscribing) {
                subscriber = null;
                subscribed = false;
            } else {
                publisher = null;
            }
            c.close();
            if (closed) {
                return;
            }
            log.warn("cluster broker: lost the {} connection to {}{}: live messages from other nodes {} until it is back "
                            + "(clients catch up from the store)", subscribing ? "subscribe" : "publish", redactedUrl,
                    cause == null ? "" : " (" + LogSafe.value(String.valueOf(cause.getMessage())) + ")",
                    subscribing ? "do not arrive" : "are not sent");
            vertx.setTimer(FIRST_RECONNECT_DELAY_MS, id -> {
                if (subscribing) {
                    connectSubscriber();
                } else {
                    connectPublisher();
                }
            });
        });
    }

    private long retry(Runnable connect, long delay, String what, Throwable cause) {
        if (closed) {
            return delay;
        }
        log.debug("cluster broker: cannot {} on {} yet ({}); again in {} ms", what, redactedUrl,
                LogSafe.value(String.valueOf(cause.getMessage())), delay);
        vertx.setTimer(delay, id -> connect.run());
        return Math.min(delay * 2, MAX_RECONNECT_DELAY.toMillis());
    }

    /** A message on a subscribed channel (RESP2 array or RESP3 push: {@code message, channel, payload}). */
    private void onPush(Response push) {
        if (push == null || push.size() < 3 || !"message".equals(String.valueOf(push.get(0)))) {
            return; // subscribe confirmations and the like
        }
        if (probeChannel.equals(String.valueOf(push.get(1)))) {
            probeUnseenSince = 0; // the subscription works: every probe sent before this one is through too
            return;
        }
        if (channels.catchUp().equals(String.valueOf(push.get(1)))) {
            BrokerListener current = listener;
            if (current != null && !origin.equals(String.valueOf(push.get(2)))) {
                current.resubscribed(); // another node's envelopes were lost to us: the sessions read the store
            }
            return;
        }
        EnvelopeCodec.Decoded decoded;
        try {
            decoded = EnvelopeCodec.decode(push.get(2).toBytes());
        } catch (RuntimeException e) {
            counters.unreadable.increment();
            log.warn("cluster broker: dropped an unreadable envelope on {}: {}", LogSafe.value(String.valueOf(push.get(1))),
                    LogSafe.value(e.getMessage()));
            return;
        }
        if (decoded.origin().equals(origin)) {
            return; // this node delivered it when it published it
        }
        counters.received.increment();
        BrokerListener current = listener;
        if (current != null) {
            try {
                current.onEnvelope(decoded.envelope());
            } catch (RuntimeException e) {
                log.error("cluster broker: delivering message {} from {} failed", decoded.envelope().message().id(),
                        LogSafe.value(decoded.origin()), e);
            }
        }
    }

    /** Whether both connections are up and the channels subscribed (for health checks and tests). */
    public boolean connected() {
        return publisher != null && subscribed;
    }

    /** What this broker counted: envelopes sent, received, dropped, unreadable, subscriptions, catch-ups asked. */
    public BrokerCounters counters() {
        return counters;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (vertx == null) {
            return; // never started
        }
        listener = null;
        RedisConnection p = publisher;
        RedisConnection s = subscriber;
        publisher = null;
        subscriber = null;
        subscribed = false;
        try {
            if (p != null) {
                p.close();
            }
            if (s != null) {
                s.close();
            }
            client.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("cluster broker: closing the Redis client: {}", LogSafe.value(String.valueOf(e.getMessage())));
        } finally {
            vertx.close();
        }
    }

    @Override
    public String toString() {
        return "RedisBroker[" + redactedUrl + ", " + origin + "]";
    }
}
