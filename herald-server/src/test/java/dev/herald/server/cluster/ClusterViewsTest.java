package dev.herald.server.cluster;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.TestCluster;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.ToxicProxy;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cluster-wide views over three nodes in one JVM (one PostgreSQL database fresh per test, one Redis): presence lists
 * a user's connections on every node with their node ids, a node cut off from Redis drops out within
 * {@code cluster.node-ttl}, stats add up the nodes, a kick on one node closes the user's connections on the others,
 * and the per-user cap counts connections across nodes. Short heartbeats ({@value #HEARTBEAT}, ttl {@value #TTL}).
 */
class ClusterViewsTest {
    private static final URI REDIS = TestCluster.REDIS;
    private static final String HEARTBEAT = "100ms";
    private static final String TTL = "500ms";

    private TestCluster cluster;

    @BeforeEach
    void createCluster() throws SQLException {
        cluster = new TestCluster();
    }

    @AfterEach
    void closeCluster() throws Exception {
        cluster.close();
    }

    private TestServer node(String id, int redisPort) {
        return cluster.readyNode(id, redisPort, TestCluster.postgresPort(),
                Map.of(Setting.CLUSTER_HEARTBEAT, HEARTBEAT, Setting.CLUSTER_NODE_TTL, TTL));
    }

    private TestServer node(String id) {
        return node(id, REDIS.getPort());
    }

    private static RedisClusterViews views(TestServer node) {
        return (RedisClusterViews) node.server().views();
    }

    private WsClient login(TestServer node, String uid) {
        return cluster.login(node, uid);
    }

    private static JsonObject presence(TestServer node, String uid) {
        var r = node.http().get("/api/v1/users/" + uid);
        assertThat(r.status()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    /** The node ids of the user's connections as {@code node} sees them, sorted. */
    private static List<String> nodesOf(TestServer node, String uid) {
        List<String> out = new ArrayList<>();
        for (Object c : presence(node, uid).getJsonArray("connections")) {
            out.add(((JsonObject) c).getString("node"));
        }
        out.sort(null);
        return out;
    }

    @Test
    void presence_lists_the_users_connections_on_every_node_with_their_node_ids() {
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c");
        login(a, "alice");
        WsClient onB = login(b, "alice");
        login(c, "alice");
        login(c, "alice");
        onB.send("{\"type\":\"subscribe\",\"topics\":[\"news\"]}");
        onB.awaitFrame(f -> f.contains("\"type\":\"positions\"") && f.contains("news"));

        for (TestServer asked : List.of(a, b, c)) {
            Awaitility.await().atMost(WsClient.WAIT).until(() -> nodesOf(asked, "alice").equals(List.of("a", "b", "c", "c")));
        }
        JsonObject fromA = presence(a, "alice");
        assertThat(fromA.getBoolean("online")).isTrue();
        assertThat(fromA.containsKey("partial")).isFalse();
        JsonObject bConnection = fromA.getJsonArray("connections").stream().map(JsonObject.class::cast)
                .filter(o -> o.getString("node").equals("b")).findFirst().orElseThrow();
        assertThat(bConnection.getString("protocol")).isEqualTo("herald");
        assertThat(bConnection.getJsonArray("topics")).isEqualTo(new JsonArray().add("news"));
        assertThat(bConnection.containsKey("instance")).isFalse();
        assertThat(presence(a, "nobody").getBoolean("online")).isFalse();
    }

    @Test
    void a_node_cut_off_from_redis_drops_out_of_presence_and_stats_within_the_ttl_and_a_closed_one_at_once() throws Exception {
        ToxicProxy redisForC = new ToxicProxy(REDIS.getHost(), REDIS.getPort());
        cluster.closeLater(redisForC);
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c", redisForC.port());
        login(b, "bob");
        login(c, "bob");
        Awaitility.await().atMost(WsClient.WAIT).until(() -> nodesOf(a, "bob").equals(List.of("b", "c")));
        Awaitility.await().atMost(WsClient.WAIT).until(() -> stats(a).getJsonObject("total").getInteger("nodes") == 3);

        redisForC.cut(); // c stops renewing its heartbeat: what the others see when it dies
        long cutAt = System.nanoTime();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> nodesOf(a, "bob").equals(List.of("b")));
        Duration gone = Duration.ofNanos(System.nanoTime() - cutAt);
        assertThat(gone).isLessThan(Duration.ofMillis(500 + 2_000)); // the ttl, plus slack for a loaded machine
        Awaitility.await().atMost(WsClient.WAIT).until(() -> stats(a).getJsonObject("total").getInteger("nodes") == 2);

        b.close(); // a clean stop removes the node and its connections itself
        Awaitility.await().atMost(Duration.ofMillis(400)).until(() -> nodesOf(a, "bob").isEmpty());
    }

    private static JsonObject stats(TestServer node) {
        return new JsonObject(node.http().get("/api/v1/stats").body());
    }

    @Test
    void stats_show_each_node_and_the_totals_while_the_top_level_stays_this_nodes() {
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c");
        login(a, "u1");
        login(b, "u2");
        login(b, "u3");
        login(c, "u4");
        login(c, "u4");
        login(c, "u5");

        Awaitility.await().atMost(WsClient.WAIT).until(() -> stats(a).getJsonObject("total").getLong("connections") == 6);
        JsonObject s = stats(a);
        assertThat(s.getString("node")).isEqualTo("a");
        assertThat(s.getInteger("connections")).isEqualTo(1);
        assertThat(s.getJsonObject("total").getInteger("nodes")).isEqualTo(3);
        assertThat(s.getJsonObject("total").getLong("usersOnline")).isEqualTo(5);
        List<String> nodes = new ArrayList<>();
        for (Object n : s.getJsonArray("nodes")) {
            nodes.add(((JsonObject) n).getString("node") + "=" + ((JsonObject) n).getInteger("connections"));
        }
        assertThat(nodes).containsExactlyInAnyOrder("a=1", "b=2", "c=3");
        assertThat(nodes.get(0)).isEqualTo("a=1");
    }

    @Test
    void a_kick_on_one_node_closes_the_users_connections_on_the_others() {
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c");
        WsClient onB = login(b, "carol");
        WsClient onC = login(c, "carol");
        WsClient other = login(c, "dave");
        Awaitility.await().atMost(WsClient.WAIT).until(() -> nodesOf(a, "carol").size() == 2);

        var r = a.http().delete("/api/v1/users/carol/connections");
        assertThat(r.status()).isEqualTo(200);
        assertThat(new JsonObject(r.body()).getInteger("disconnected")).isEqualTo(2);
        assertThat(onB.awaitClose()).isEqualTo(4004);
        assertThat(onC.awaitClose()).isEqualTo(4004);
        assertThat(other.closeCodeNow()).isNull();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> nodesOf(a, "carol").isEmpty());
    }

    @Test
    void a_kick_of_one_connection_closes_only_that_one_on_its_node() {
        TestServer a = node("a");
        TestServer b = node("b");
        WsClient first = login(b, "erin");
        WsClient second = login(b, "erin");
        Awaitility.await().atMost(WsClient.WAIT).until(() -> nodesOf(a, "erin").size() == 2);
        String id = presence(a, "erin").getJsonArray("connections").getJsonObject(0).getString("id");

        var r = a.http().delete("/api/v1/users/erin/connections?connection=" + id);
        assertThat(new JsonObject(r.body()).getInteger("disconnected")).isEqualTo(1);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> first.isClosed() || second.isClosed());
        assertThat(List.of(first.isClosed(), second.isClosed())).containsExactlyInAnyOrder(true, false);
    }

    @Test
    void the_seventeenth_connection_of_a_user_is_refused_with_4009_whichever_node_it_reaches() {
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c");
        List<WsClient> held = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            held.add(login(i % 2 == 0 ? a : b, "frank"));
        }
        Awaitility.await().atMost(WsClient.WAIT).until(() -> nodesOf(c, "frank").size() == 16);

        WsClient seventeenth = c.connect("uid=frank");
        cluster.closeLater(seventeenth::close);
        assertThat(seventeenth.awaitClose()).isEqualTo(4009);
        assertThat(held).allMatch(h -> h.closeCodeNow() == null);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> nodesOf(a, "frank").size() == 16);

        // a place freed on one node is taken on another
        held.get(0).close();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> nodesOf(c, "frank").size() == 15);
        WsClient next = login(c, "frank");
        Awaitility.await().atMost(WsClient.WAIT).until(() -> nodesOf(a, "frank").size() == 16);
        assertThat(next.closeCodeNow()).isNull();
    }

    @Test
    void with_redis_gone_views_answer_this_nodes_part_as_partial_and_the_cap_counts_this_nodes_connections() throws Exception {
        ToxicProxy redisForA = new ToxicProxy(REDIS.getHost(), REDIS.getPort());
        cluster.closeLater(redisForA);
        TestServer a = node("a", redisForA.port());
        TestServer b = node("b");
        login(a, "gina");
        for (int i = 0; i < 15; i++) {
            login(b, "gina");
        }
        Awaitility.await().atMost(WsClient.WAIT).until(() -> nodesOf(b, "gina").size() == 16); // the cap, across a and b

        redisForA.cut();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> !views(a).connected());
        JsonObject presence = presence(a, "gina");
        assertThat(presence.getBoolean("partial")).isTrue();
        assertThat(nodesOf(a, "gina")).containsExactly("a");
        JsonObject stats = stats(a);
        assertThat(stats.getBoolean("partial")).isTrue();
        assertThat(stats.getJsonObject("total").getInteger("nodes")).isEqualTo(1);

        // fail open: the cluster already holds 16 of gina's connections, yet a (without Redis) admits up to its own cap
        WsClient second = login(a, "gina");
        assertThat(second.closeCodeNow()).isNull();
        assertThat(presence(a, "gina").getJsonArray("connections")).hasSize(2);
    }
}
