package dev.herald.server.cluster;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.TestCluster;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.ToxicProxy;
import dev.herald.server.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nodes without Redis, with PostgreSQL's LISTEN/NOTIFY as the broker ({@code broker=postgres}, or a
 * {@code postgresql://} URL): a publish on one node reaches the user's connections on the others once and in
 * order, a message larger than a notification's 8,000 bytes too (in parts), {@code persist:false} ones too; when the
 * listening connection is cut and comes back, the connections on that node catch up from the store; when a node's
 * publishing connection is cut, the other nodes catch up once it can publish again.
 */
class ClusterPostgresBrokerTest {
    private static final Pattern POS = Pattern.compile("\"pos\":(\\d+),");

    private TestCluster cluster;

    @BeforeEach
    void createCluster() throws Exception {
        cluster = new TestCluster();
    }

    @AfterEach
    void closeCluster() throws Exception {
        cluster.close();
    }

    /** A node whose broker is LISTEN/NOTIFY: on the store's database, or at {@code brokerUrl}. */
    private TestServer node(String id, String brokerUrl) {
        return cluster.readyNode(id, Map.of(Setting.CLUSTER_REDIS_TIMEOUT, "300ms",
                Setting.BROKER, brokerUrl == null ? "postgres" : brokerUrl));
    }

    private WsClient login(TestServer node, String uid) {
        return cluster.login(node, uid);
    }

    private static List<Long> positions(WsClient client) {
        List<Long> out = new ArrayList<>();
        for (String f : client.frames().stream().filter(WsClient::isMessage).toList()) {
            Matcher m = POS.matcher(f);
            out.add(m.find() ? Long.parseLong(m.group(1)) : -1);
        }
        return out;
    }

    @Test
    void a_publish_on_one_node_reaches_the_other_nodes_in_order_large_and_fire_and_forget_ones_too() {
        TestServer a = node("a", null);
        TestServer b = node("b", null);
        TestServer c = node("c", null);
        WsClient onB = login(b, "alice");
        WsClient onC = login(c, "alice");

        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            ids.add(a.publishToUser("alice", "{\"n\":" + i + "}"));
        }
        String large = "x".repeat(30_000); // several notifications' worth
        ids.add(a.publishToUser("alice", "\"" + large + "\""));
        ids.add(a.publish("{\"to\":{\"users\":[\"alice\"]},\"persist\":false,\"data\":\"now or never\"}").getString("id"));

        for (WsClient client : List.of(onB, onC)) {
            assertThat(client.awaitMessageIds(22)).containsExactlyElementsOf(ids);
            assertThat(positions(client).subList(0, 21)).isSorted().doesNotHaveDuplicates().startsWith(1L).endsWith(21L);
            assertThat(client.frames().stream().filter(f -> f.contains(large))).hasSize(1);
        }
        assertThat(((PostgresBroker) b.server().broker()).counters().received()).isGreaterThanOrEqualTo(22);
        assertThat(b.http().get("/metrics").metric("herald_broker_connected")).isEqualTo(1.0);
    }

    @Test
    void when_the_listening_connection_comes_back_the_connections_catch_up_from_the_store() throws Exception {
        ToxicProxy toPostgres = cluster.closeLater(new ToxicProxy(TestCluster.POSTGRES.getHost(), TestCluster.postgresPort()));
        String viaProxy = "postgresql://" + TestCluster.POSTGRES.getUserInfo() + "@127.0.0.1:" + toPostgres.port()
                + "/" + cluster.database();
        TestServer a = node("a", null);
        TestServer b = node("b", viaProxy); // its store is direct; only its broker goes through the proxy
        WsClient onB = login(b, "bob");
        PostgresBroker brokerOfB = (PostgresBroker) b.server().broker();
        long subscriptions = brokerOfB.counters().subscriptions();

        toPostgres.silence(); // no reset: only the listener's own check can tell
        Awaitility.await().atMost(WsClient.WAIT).until(() -> !brokerOfB.listening());
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ids.add(a.publishToUser("bob", "{\"n\":" + i + "}"));
        }
        toPostgres.restore();

        assertThat(onB.awaitMessageIds(5)).containsExactlyElementsOf(ids); // no further message needed
        assertThat(positions(onB)).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(brokerOfB.counters().subscriptions()).isGreaterThan(subscriptions);
    }

    @Test
    void envelopes_a_node_could_not_send_reach_the_other_nodes_once_it_publishes_again_without_a_further_message() throws Exception {
        ToxicProxy toPostgres = cluster.closeLater(new ToxicProxy(TestCluster.POSTGRES.getHost(), TestCluster.postgresPort()));
        String viaProxy = "postgresql://" + TestCluster.POSTGRES.getUserInfo() + "@127.0.0.1:" + toPostgres.port()
                + "/" + cluster.database();
        TestServer a = node("a", viaProxy); // its store is direct: its publishes are stored while its broker is cut off
        TestServer b = node("b", null);
        WsClient onB = login(b, "carol");
        BrokerCounters brokerOfA = ((PostgresBroker) a.server().broker()).counters();
        BrokerCounters brokerOfB = ((PostgresBroker) b.server().broker()).counters();
        List<String> ids = new ArrayList<>();
        ids.add(a.publishToUser("carol", "{\"n\":1}"));
        assertThat(onB.awaitMessageIds(1)).containsExactlyElementsOf(ids); // a's publishing connection is up
        long subscriptionsOfB = brokerOfB.subscriptions();

        toPostgres.cut(); // a's connections break, and new ones are refused
        for (int i = 2; i <= 4; i++) {
            ids.add(a.publishToUser("carol", "{\"n\":" + i + "}"));
        }
        Awaitility.await().atMost(WsClient.WAIT).until(() -> brokerOfA.dropped() == 3);
        toPostgres.restore();

        assertThat(onB.awaitMessageIds(4)).containsExactlyElementsOf(ids); // no fifth message needed
        assertThat(positions(onB)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(brokerOfA.catchUpsAsked()).isPositive();
        assertThat(brokerOfB.subscriptions()).isEqualTo(subscriptionsOfB); // b's own LISTEN never broke: the request did it
    }
}
