package dev.herald.server.testing;

import dev.herald.server.cluster.PostgresBroker;
import dev.herald.server.cluster.RedisBroker;
import dev.herald.server.cluster.RedisClusterViews;
import dev.herald.server.config.Setting;
import org.awaitility.Awaitility;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The nodes of one test's cluster: a PostgreSQL database made for it ({@link TestPostgres}) and a Redis channel prefix
 * of its own on the shared Redis ({@link TestRedis}), so tests never see each other's data or envelopes. Everything a
 * test opens through it (nodes, clients, proxies) is closed by {@link #close}, newest first, before the database is
 * dropped.
 */
public final class TestCluster implements AutoCloseable {
    public static final URI POSTGRES = TestPostgres.server();
    public static final URI REDIS = TestRedis.server();

    private final String database = "herald_cluster_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final String prefix = "cluster-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    public TestCluster() throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
    }

    /**
     * A node in dev mode on the cluster's database, reaching Redis at {@code redisPort} (Redis itself, or a proxy in
     * front of it), with {@code settings} on top.
     */
    public TestServer node(String id, int redisPort, Map<Setting, String> settings) {
        return node(id, redisPort, postgresPort(), settings);
    }

    /** {@link #node(String, int, Map)} reaching PostgreSQL at {@code postgresPort} (PostgreSQL itself, or a proxy in front of it). */
    public TestServer node(String id, int redisPort, int postgresPort, Map<Setting, String> settings) {
        return closeLater(TestServer.devMode(settings(id, redisPort, postgresPort, settings)));
    }

    /**
     * {@link #node(String, int, int, Map)} once it is connected: its Redis broker and views connected and subscribed,
     * or its LISTEN/NOTIFY broker listening (a publish on another node reaches it from then on).
     */
    public TestServer readyNode(String id, int redisPort, int postgresPort, Map<Setting, String> settings) {
        TestServer node = node(id, redisPort, postgresPort, settings);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> connected(node));
        return node;
    }

    /** {@link #readyNode(String, int, int, Map)} on Redis and PostgreSQL themselves. */
    public TestServer readyNode(String id, Map<Setting, String> settings) {
        return readyNode(id, REDIS.getPort(), postgresPort(), settings);
    }

    private static boolean connected(TestServer node) {
        boolean views = !(node.server().views() instanceof RedisClusterViews v) || v.connected();
        return views && switch (node.server().broker()) {
            case RedisBroker r -> r.connected();
            case PostgresBroker p -> p.listening();
            default -> true;
        };
    }

    /**
     * A dev-mode login as {@code uid} on {@code node} ({@code since}: the resume cursor, or null), closed with the
     * cluster, returned once its login replay is over (the {@code positions} frame).
     */
    public WsClient login(TestServer node, String uid, String since) {
        WsClient client = node.connect("uid=" + uid + (since == null ? "" : "&since=" + since));
        closeLater(client::close);
        client.awaitFrame(f -> f.contains("\"type\":\"positions\""));
        return client;
    }

    /** {@link #login(TestServer, String, String)} without a cursor. */
    public WsClient login(TestServer node, String uid) {
        return login(node, uid, null);
    }

    /**
     * The settings of a node of this cluster: its id, the cluster's database and channel prefix, with {@code settings}
     * on top; the broker is Redis at {@code redisPort} unless {@code settings} names one.
     */
    public Map<Setting, String> settings(String id, int redisPort, int postgresPort, Map<Setting, String> settings) {
        Map<Setting, String> all = new HashMap<>(settings);
        all.put(Setting.NODE_ID, id);
        all.put(Setting.STORE, "postgresql://" + POSTGRES.getUserInfo() + "@" + POSTGRES.getHost() + ":" + postgresPort + "/" + database);
        all.putIfAbsent(Setting.BROKER, "redis://" + REDIS.getHost() + ":" + redisPort);
        all.put(Setting.CLUSTER_CHANNEL_PREFIX, prefix);
        return all;
    }

    /** The name of this cluster's PostgreSQL database. */
    public String database() {
        return database;
    }

    /** Closes {@code resource} with the cluster (after everything opened after it); returns it. */
    public <T extends AutoCloseable> T closeLater(T resource) {
        open.add(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    /** The port of the cluster's PostgreSQL. */
    public static int postgresPort() {
        return POSTGRES.getPort() < 0 ? 5432 : POSTGRES.getPort();
    }

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + POSTGRES.getHost() + ":" + postgresPort() + POSTGRES.getPath()
                + "?connectTimeout=5", POSTGRES.getUserInfo(), "");
    }
}
