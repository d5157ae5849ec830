package dev.herald.server.cluster;

import dev.herald.core.LogSafe;
import dev.herald.core.broker.Broker;
import dev.herald.core.broker.BrokerEnvelope;
import dev.herald.core.broker.BrokerListener;
import dev.herald.core.store.StreamPosition;
import dev.herald.server.store.PostgresUrl;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The cluster broker for small installs without Redis: envelopes go between nodes through PostgreSQL's
 * {@code LISTEN/NOTIFY} on the database the nodes already share. Same contract as {@link RedisBroker}: at most once
 * (the store is the truth), {@link #publish} delivers to this node's hub at once and never waits for the database,
 * and each node's envelopes reach every other node in the order it published them (one publishing connection, one
 * transaction per envelope: PostgreSQL delivers notifications in commit order). When the listening connection is
 * made again after a loss, the listener is told ({@link BrokerListener#resubscribed}) and the sessions catch up from
 * the store.
 *
 * <p>A notification carries at most 8,000 bytes, so an envelope (binary, {@link EnvelopeCodec}, in Base64) goes as
 * one or more notifications, {@code <instance> <seq> <index> <count> <chunk>}, sent in one transaction; a receiver
 * puts them together again (a part missing, because the listening connection broke, drops the envelope: the read
 * rule fills the hole). Every node receives every envelope (one channel): fine for the few nodes and the rates of a
 * small install; Redis is the broker for more. The cluster-wide views (presence, stats, the per-user cap) need Redis:
 * with this broker each node's views are its own.
 *
 * <p>Two threads of its own: a publisher that takes queued envelopes (at most {@code maxInFlight}; beyond, they are
 * not sent and {@link BrokerCounters#dropped} counts them) and a listener that waits for notifications, checks its connection
 * every third of {@code timeout} with a query that must answer within {@code timeout} (so a silent split is noticed),
 * and reconnects (100 ms, doubling up to 2 s). Thread-safe.
 *
 * <p>An envelope that is not sent (the publishing connection away, or the queue full) leaves the other nodes'
 * sessions without that message until the stream's next one shows them the hole. So, as {@link RedisBroker} does,
 * once it can publish again the publisher sends one notification on the catch-up channel ({@link #catchUpChannelName}),
 * whose listeners have their sessions read their streams from the store: the dropped messages were committed before
 * their envelopes were handed over, so that read finds them.
 */
public final class PostgresBroker implements Broker {
    private static final Logger log = LoggerFactory.getLogger(PostgresBroker.class);
    /** Below PostgreSQL's 8,000-byte limit on a notification's payload, with room for the header. */
    static final int CHUNK_CHARS = 7_800;
    private static final long FIRST_RECONNECT_DELAY_MS = 100;
    private static final long MAX_RECONNECT_DELAY_MS = 2_000;

    private final PostgresUrl url;
    private final String channel;
    private final String catchUpChannel;
    private final String origin;
    /** Names this process in every notification's header, so that it skips its own without decoding them. */
    private final String instance = StreamPosition.newEpoch();
    private final long timeoutMs;
    private final BlockingQueue<BrokerEnvelope> outbox;
    private final BrokerCounters counters = new BrokerCounters();
    private volatile BrokerListener listener;
    private volatile boolean listening;
    private volatile boolean publishing;
    private volatile boolean closed;
    private Thread publisherThread;
    private Thread listenerThread;
    private long seq; // publisher thread only
    /**
     * Some envelope of this node was not sent since the last catch-up request went out: the publisher owes the other
     * nodes one (set by any thread, cleared by the publisher when it sends the request).
     */
    private volatile boolean owesCatchUp;

    /**
     * @param url         the PostgreSQL the nodes share ({@code postgresql://…})
     * @param nodeId      this node's name, for logs
     * @param prefix      {@code cluster.channel-prefix}: several clusters can share one database server
     * @param maxInFlight envelopes waiting for the publisher before further ones are dropped
     * @param timeout     how long the listening connection's check may go unanswered before it is taken as broken
     */
    public PostgresBroker(String url, String nodeId, String prefix, int maxInFlight, Duration timeout) {
        this.url = PostgresUrl.parse(url);
        this.channel = channelName(prefix);
        this.catchUpChannel = catchUpChannelName(prefix);
        this.origin = nodeId + "/" + instance;
        this.timeoutMs = Math.max(30, timeout.toMillis());
        this.outbox = new ArrayBlockingQueue<>(maxInFlight);
    }

    /** {@code herald_<prefix>}, within PostgreSQL's 63-byte identifiers (the prefix is ASCII: see ClusterConfig). */
    static String channelName(String prefix) {
        String name = "herald_" + prefix;
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    /** {@link #channelName}'s catch-up channel: {@code <channel>_catch_up}, the channel's name cut short enough to fit. */
    static String catchUpChannelName(String prefix) {
        String suffix = "_catch_up";
        String name = channelName(prefix);
        return name.substring(0, Math.min(name.length(), 63 - suffix.length())) + suffix;
    }

    @Override
    public synchronized void start(BrokerListener listener) {
        if (publisherThread != null || closed) {
            throw new IllegalStateException("a broker starts once");
        }
        this.listener = listener;
        publisherThread = new Thread(this::publishLoop, "herald-pg-broker-publish");
        listenerThread = new Thread(this::listenLoop, "herald-pg-broker-listen");
        publisherThread.setDaemon(true);
        listenerThread.setDaemon(true);
        publisherThread.start();
        listenerThread.start();
        log.info("cluster broker: LISTEN/NOTIFY on {} channel {} (instance {})", url.display(), channel, origin);
    }

    @Override
    public int publish(BrokerEnvelope envelope) {
        BrokerListener current = listener;
        int local = current == null ? 0 : current.onEnvelope(envelope);
        if (closed || !outbox.offer(envelope)) {
            counters.dropped.increment();
            owesCatchUp = true;
        }
        return local;
    }

    private Connection connect(boolean autoCommit) throws SQLException {
        Properties props = new Properties();
        if (url.user() != null) {
            props.setProperty("user", url.user());
        }
        if (url.password() != null) {
            props.setProperty("password", url.password());
        }
        int seconds = (int) Math.max(1, (timeoutMs + 999) / 1000);
        props.setProperty("connectTimeout", Integer.toString(seconds));
        props.setProperty("socketTimeout", Integer.toString(seconds));
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", "herald-broker");
        Connection c = DriverManager.getConnection(url.jdbcUrl(), props);
        c.setAutoCommit(autoCommit);
        return c;
    }

    // ---- publishing

    private void publishLoop() {
        Connection c = null;
        long delay = FIRST_RECONNECT_DELAY_MS;
        boolean warned = false; // once per outage: a catch-up owed retries every couple of seconds
        while (!closed) {
            BrokerEnvelope envelope;
            try {
                // a catch-up owed is sent without waiting for an envelope: no further message may come
                envelope = outbox.poll(owesCatchUp ? 0 : 1_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (envelope == null && !owesCatchUp) {
                continue;
            }
            try {
                if (c == null) {
                    c = connect(false);
                    publishing = true;
                    delay = FIRST_RECONNECT_DELAY_MS;
                    warned = false;
                }
                if (envelope != null) {
                    send(c, envelope);
                    counters.sent.increment();
                    envelope = null;
                }
                askForCatchUp(c);
            } catch (SQLException | RuntimeException e) {
                if (envelope != null) {
                    counters.dropped.increment();
                    owesCatchUp = true;
                }
                publishing = false;
                closeQuietly(c);
                c = null;
                if (!closed) {
                    if (!warned) {
                        log.warn("cluster broker: cannot NOTIFY on {} ({}): live messages to other nodes are not sent until it "
                                + "is back (clients catch up from the store)", url.display(), LogSafe.value(String.valueOf(e.getMessage())));
                        warned = true;
                    }
                    pause(delay);
                    delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
                }
            }
        }
        publishing = false;
        closeQuietly(c);
    }

    /**
     * When envelopes of this node were not sent, asks every other node, on the catch-up channel, to have its sessions
     * read their streams from the store. A request that fails is owed again (the caller reconnects and retries).
     */
    private void askForCatchUp(Connection c) throws SQLException {
        if (!owesCatchUp) {
            return;
        }
        owesCatchUp = false; // a drop from now on owes another request
        try (PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            notify.setString(1, catchUpChannel);
            notify.setString(2, instance);
            notify.execute();
            c.commit();
        } catch (SQLException e) {
            owesCatchUp = true;
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        counters.catchUpsAsked.increment();
    }

    /** The envelope's notifications, in one transaction: they arrive together and in order, or not at all. */
    private void send(Connection c, BrokerEnvelope envelope) throws SQLException {
        String body = Base64.getEncoder().encodeToString(EnvelopeCodec.encode(origin, envelope));
        int count = Math.max(1, (body.length() + CHUNK_CHARS - 1) / CHUNK_CHARS);
        long id = ++seq;
        try (PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            for (int i = 0; i < count; i++) {
                String chunk = body.substring(i * CHUNK_CHARS, Math.min(body.length(), (i + 1) * CHUNK_CHARS));
                notify.setString(1, channel);
                notify.setString(2, instance + " " + id + " " + i + " " + count + " " + chunk);
                notify.execute();
            }
            c.commit();
        } catch (SQLException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    // ---- listening

    private void listenLoop() {
        long delay = FIRST_RECONNECT_DELAY_MS;
        while (!closed) {
            try (Connection c = connect(true)) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN \"" + channel + "\"");
                    s.execute("LISTEN \"" + catchUpChannel + "\"");
                }
                listening = true;
                counters.subscriptions.increment();
                delay = FIRST_RECONNECT_DELAY_MS;
                log.info("cluster broker: listening on {} channel {}", url.display(), channel);
                BrokerListener current = listener;
                if (current != null) {
                    current.resubscribed(); // also the first time: sessions may have logged in before the database answered
                }
                receive(c);
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                if (listening) {
                    log.warn("cluster broker: lost the LISTEN connection to {} ({}): live messages from other nodes do not "
                            + "arrive until it is back (clients catch up from the store)", url.display(),
                            LogSafe.value(String.valueOf(e.getMessage())));
                }
            } finally {
                listening = false;
            }
            pause(delay);
            delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
        }
    }

    /** Until the connection breaks or the broker closes: notifications in, and a check every third of the timeout. */
    private void receive(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        Map<String, Parts> partial = new HashMap<>();
        long checkEvery = Math.max(10, timeoutMs / 3);
        long lastCheck = System.nanoTime();
        while (!closed) {
            PGNotification[] notifications = pg.getNotifications((int) checkEvery);
            if (notifications != null) {
                for (PGNotification n : notifications) {
                    if (catchUpChannel.equals(n.getName())) {
                        onCatchUpRequest(n.getParameter());
                    } else {
                        onNotification(n.getParameter(), partial);
                    }
                }
            }
            if (System.nanoTime() - lastCheck >= checkEvery * 1_000_000) {
                // the socket timeout bounds this: a database that stopped answering breaks the connection
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT 1");
                }
                lastCheck = System.nanoTime();
            }
        }
    }

    /** The parts of one envelope received so far. */
    private static final class Parts {
        final String[] chunks;
        int have;

        Parts(int count) {
            chunks = new String[count];
        }
    }

    /** Another node's envelopes were lost to this one: the sessions read their streams from the store. */
    private void onCatchUpRequest(String fromInstance) {
        BrokerListener current = listener;
        if (current != null && !instance.equals(fromInstance)) {
            current.resubscribed();
        }
    }

    private void onNotification(String payload, Map<String, Parts> partial) {
        String[] f = payload.split(" ", 5);
        if (f.length != 5) {
            counters.unreadable.increment();
            return;
        }
        if (f[0].equals(instance)) {
            return; // this node delivered it when it published it
        }
        int index;
        int count;
        try {
            index = Integer.parseInt(f[2]);
            count = Integer.parseInt(f[3]);
        } catch (NumberFormatException e) {
            counters.unreadable.increment();
            return;
        }
        if (count < 1 || count > 1_000 || index < 0 || index >= count) {
            counters.unreadable.increment();
            return;
        }
        String body;
        if (count == 1) {
            body = f[4];
        } else {
            String key = f[0] + " " + f[1];
            if (index == 0) {
                partial.keySet().removeIf(k -> k.startsWith(f[0] + " ")); // an earlier one from that node lost a part
                partial.put(key, new Parts(count));
            }
            Parts parts = partial.get(key);
            if (parts == null || parts.chunks.length != count || parts.chunks[index] != null) {
                counters.unreadable.increment();
                return;
            }
            parts.chunks[index] = f[4];
            if (++parts.have < count) {
                return;
            }
            partial.remove(key);
            body = String.join("", parts.chunks);
        }
        EnvelopeCodec.Decoded decoded;
        try {
            decoded = EnvelopeCodec.decode(Base64.getDecoder().decode(body));
        } catch (RuntimeException e) {
            counters.unreadable.increment();
            log.warn("cluster broker: dropped an unreadable notification on {}: {}", channel, LogSafe.value(e.getMessage()));
            return;
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

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // the reconnect backoff of a background thread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // broken anyway
            }
        }
    }

    /** Whether both connections work (the publishing one as of its last use) and the channel is listened to. */
    public boolean connected() {
        return listening && (publishing || outbox.isEmpty());
    }

    /** Whether the channel is listened to now. */
    public boolean listening() {
        return listening;
    }

    /** What this broker counted: envelopes sent, received, dropped, unreadable, subscriptions, catch-ups asked. */
    public BrokerCounters counters() {
        return counters;
    }

    @Override
    public synchronized void close() {
        closed = true;
        listener = null;
        for (Thread t : new Thread[] {publisherThread, listenerThread}) {
            if (t != null) {
                t.interrupt();
            }
        }
        for (Thread t : new Thread[] {publisherThread, listenerThread}) {
            if (t != null) {
                try {
                    t.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "PostgresBroker[" + url.display() + ", " + origin + "]";
    }
}
