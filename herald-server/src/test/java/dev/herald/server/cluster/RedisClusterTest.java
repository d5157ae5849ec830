package dev.herald.server.cluster;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.TestCluster;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.ToxicProxy;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three Herald nodes in one JVM, each a real {@link dev.herald.server.HeraldServer} on its own port, sharing one
 * PostgreSQL database (fresh for each test) and one Redis ({@link TestPostgres}, {@link TestRedis}): a publish on
 * any node reaches a user's connections on every node once and in per-stream order, topics and {@code all} too;
 * messages published on two nodes reach a client in position order with none skipped; with Redis gone, publishes
 * are still accepted, the publishing node's clients still get them live, and the others get them from the store
 * (when their stream's next message shows the hole, or when they resume by position).
 */
class RedisClusterTest {
    private static final URI REDIS = TestCluster.REDIS;
    private static final long QUICK_TIMEOUT_MS = 300;
    /**
     * How long the outage tests keep Redis away at least ({@code -Dherald.test.redis-outage=PT30S} for the 30 s of the
     * issue); by default only as long as the test takes to publish during it.
     */
    private static final java.time.Duration OUTAGE = java.time.Duration.parse(System.getProperty("herald.test.redis-outage", "PT0S"));
    private static final String QUICK_TIMEOUT = QUICK_TIMEOUT_MS + "ms";
    private static final Pattern POS = Pattern.compile("\"pos\":(\\d+),\"epoch\":\"([^\"]+)\"");

    private TestCluster cluster;

    @BeforeEach
    void createCluster() throws SQLException {
        cluster = new TestCluster();
    }

    @AfterEach
    void closeCluster() throws Exception {
        cluster.close();
    }

    /** A node on the shared database, reaching Redis at {@code redisPort} (Redis itself, or a proxy in front of it). */
    private TestServer node(String id, int redisPort) {
        return cluster.readyNode(id, redisPort, TestCluster.postgresPort(), Map.of());
    }

    private TestServer node(String id) {
        return node(id, REDIS.getPort());
    }

    private static RedisBroker broker(TestServer node) {
        return (RedisBroker) node.server().broker();
    }

    private WsClient login(TestServer node, String uid, String since) {
        return cluster.login(node, uid, since);
    }

    private static String toUser(String uid, int n) {
        return "{\"to\":{\"users\":[\"" + uid + "\"]},\"data\":{\"n\":" + n + "}}";
    }

    /** The message frames a client got, in arrival order. */
    private static List<String> messages(WsClient client) {
        return client.frames().stream().filter(WsClient::isMessage).toList();
    }

    /** The positions the message frames name, in arrival order. */
    private static List<Long> positions(List<String> frames) {
        List<Long> out = new ArrayList<>();
        for (String f : frames) {
            Matcher m = POS.matcher(f);
            out.add(m.find() ? Long.parseLong(m.group(1)) : -1);
        }
        return out;
    }

    private static List<Long> oneTo(int n) {
        List<Long> out = new ArrayList<>();
        for (long i = 1; i <= n; i++) {
            out.add(i);
        }
        return out;
    }

    @Test
    void a_publish_on_one_node_reaches_the_users_connections_on_the_other_nodes_once_and_in_order() {
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c");
        WsClient onB = login(b, "alice", null);
        WsClient onC = login(c, "alice", null);

        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            ids.add(a.publishToUser("alice", "{\"n\":" + i + "}"));
        }

        for (WsClient client : List.of(onB, onC)) {
            Awaitility.await().atMost(WsClient.WAIT).until(() -> messages(client).size() >= 30);
            assertThat(client.messageIds()).containsExactlyElementsOf(ids);
            assertThat(positions(messages(client))).containsExactlyElementsOf(oneTo(30));
        }
        Awaitility.await().atMost(WsClient.WAIT).until(() -> broker(b).counters().received() == 30);
        assertThat(b.http().get("/metrics").body())
                .contains("herald_broker_envelopes_total{outcome=\"received\"} 30.0", "herald_broker_connected 1.0");
    }

    /** The seed's fire-and-forget {@code /send} answers {@code user_offline} only when no node holds the user. */
    @Test
    void a_fire_and_forget_send_to_a_user_on_another_node_is_answered_as_sent_and_arrives() {
        TestServer a = node("a");
        TestServer c = node("c");
        WsClient reader = login(c, "carol", null);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> a.http().get("/api/v1/users/carol").body().contains("\"online\":true"));

        dev.herald.server.testing.Http.Response sent = a.http().get("/send?uid=carol&message=hello&persist=false");
        assertThat(sent.status()).as(sent.body()).isEqualTo(200);
        assertThat(reader.awaitMessageIds(1)).containsExactly(new JsonObject(sent.body()).getString("id"));

        dev.herald.server.testing.Http.Response nobody = a.http().get("/send?uid=nobody&message=hello&persist=false");
        assertThat(nobody.status()).isEqualTo(404);
        assertThat(nobody.body()).contains("\"code\":\"user_offline\"");
    }

    @Test
    void topics_all_and_fire_and_forget_messages_reach_the_other_nodes() {
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c");
        WsClient reader = login(c, "bob", null);
        reader.send("{\"type\":\"subscribe\",\"topics\":[\"news\"]}");
        reader.awaitFrame(f -> f.contains("\"type\":\"positions\"") && f.contains("news"));

        String topic = a.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":\"headline\"}").getString("id");
        String everyone = b.publish("{\"to\":{\"all\":true},\"data\":\"to all\"}").getString("id");
        JsonObject transient_ = a.publish("{\"to\":{\"users\":[\"bob\"]},\"persist\":false,\"data\":\"now or never\"}");

        List<String> got = reader.awaitMessageIds(3);
        assertThat(got).containsExactly(topic, everyone, transient_.getString("id"));
        List<String> frames = messages(reader);
        assertThat(frames.get(0)).contains("\"topic\":\"news\"", "\"pos\":1");
        assertThat(frames.get(1)).contains("\"all\":true", "\"pos\":1");
        assertThat(frames.get(2)).contains("now or never").doesNotContain("\"pos\"");
    }

    @Test
    void messages_published_on_two_nodes_reach_a_client_on_a_third_in_position_order_with_none_skipped() {
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c");
        WsClient onB = login(b, "carol", null);

        int each = 40;
        CompletableFuture<Void> fromA = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < each; i++) {
                a.publishToUser("carol", "{\"from\":\"a\",\"i\":" + i + "}");
            }
        });
        CompletableFuture<Void> fromC = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < each; i++) {
                c.publishToUser("carol", "{\"from\":\"c\",\"i\":" + i + "}");
            }
        });
        CompletableFuture.allOf(fromA, fromC).join();

        Awaitility.await().atMost(WsClient.WAIT).until(() -> messages(onB).size() >= 2 * each);
        List<String> frames = messages(onB);
        assertThat(positions(frames)).containsExactlyElementsOf(oneTo(2 * each));
        assertThat(new HashSet<>(onB.messageIds())).hasSize(2 * each);
        assertThat(frames).filteredOn(f -> f.contains("\"from\":\"a\"")).hasSize(each);
        assertThat(frames).filteredOn(f -> f.contains("\"from\":\"c\"")).hasSize(each);
    }

    @Test
    void with_redis_gone_publishes_are_accepted_the_publishing_node_delivers_and_the_others_catch_up_by_position() throws Exception {
        ToxicProxy redis = new ToxicProxy(REDIS.getHost(), REDIS.getPort());
        cluster.closeLater(redis);
        TestServer a = node("a", redis.port());
        TestServer b = node("b", redis.port());
        WsClient onA = login(a, "dave", null);
        WsClient staysOnB = login(b, "dave", null);
        WsClient leavesB = login(b, "dave", null);
        a.publishToUser("dave", "{\"n\":1}");
        leavesB.awaitFrame(WsClient::isMessage);
        Matcher first = POS.matcher(messages(leavesB).get(0));
        assertThat(first.find()).isTrue();
        String cursor = first.group(1) + "@" + first.group(2);
        leavesB.close();

        redis.cut();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> !broker(a).connected() && !broker(b).connected());
        for (int n = 2; n <= 11; n++) {
            a.publish(toUser("dave", n)); // accepted: the store has it
        }
        Awaitility.await().atMost(WsClient.WAIT).until(() -> messages(onA).size() == 11); // same-node delivery goes on

        // a client that reconnects (to any node) resumes by position with nothing lost
        WsClient resumed = login(b, "dave", cursor);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> messages(resumed).size() >= 10);
        assertThat(positions(messages(resumed))).containsExactlyElementsOf(oneTo(11).subList(1, 11));

        // Redis back: the next message shows the connection that stayed the hole, which it fills from the store
        redis.restore();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> broker(a).connected() && broker(b).connected());
        a.publish(toUser("dave", 12));
        Awaitility.await().atMost(WsClient.WAIT).until(() -> messages(staysOnB).size() >= 12);
        assertThat(positions(messages(staysOnB))).containsExactlyElementsOf(oneTo(12));
        assertThat(positions(messages(onA))).containsExactlyElementsOf(oneTo(12));
        assertThat(broker(a).counters().dropped()).isGreaterThanOrEqualTo(10);
    }
    /** A node with a short {@code cluster.redis-timeout}, so that a silent split is noticed within a test's patience. */
    private TestServer quickNode(String id, int redisPort) {
        return cluster.readyNode(id, redisPort, TestCluster.postgresPort(), Map.of(Setting.CLUSTER_REDIS_TIMEOUT, QUICK_TIMEOUT));
    }

    /** Keeps the outage going until {@link #OUTAGE} has passed since {@code since} (a scenario's length, not a wait for an event). */
    private static void holdTheOutage(long since) {
        java.time.Duration left = OUTAGE.minusNanos(System.nanoTime() - since);
        if (left.isPositive()) {
            Awaitility.await().pollDelay(left).atMost(left.plusSeconds(5)).until(() -> true);
        }
    }

    /**
     * The other side of an outage: the publishing node lost Redis while the reader's node kept it. The messages it
     * stored meanwhile never crossed; when it can publish again it asks the other nodes to catch up, and the reader
     * gets them with no later message to reveal the hole (found by ClusterLedgerTest's last window).
     */
    @Test
    void messages_a_node_stored_while_it_could_not_publish_reach_other_nodes_when_it_can_again() throws Exception {
        ToxicProxy redisOfA = cluster.closeLater(new ToxicProxy(REDIS.getHost(), REDIS.getPort()));
        TestServer a = quickNode("a", redisOfA.port());
        TestServer b = quickNode("b", REDIS.getPort());
        WsClient onB = login(b, "frank", null);

        redisOfA.cut();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> !broker(a).connected());
        List<String> ids = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            ids.add(a.publishToUser("frank", "{\"n\":" + n + "}")); // stored; its envelope is dropped
        }
        redisOfA.restore();

        Awaitility.await().atMost(WsClient.WAIT).until(() -> messages(onB).size() >= 3);
        assertThat(onB.messageIds()).containsExactlyElementsOf(ids);
        assertThat(broker(a).counters().catchUpsAsked()).isPositive();
    }

    @Test
    void a_connection_that_stays_through_a_redis_outage_gets_what_it_missed_when_the_subscription_returns() throws Exception {
        ToxicProxy redisOfB = cluster.closeLater(new ToxicProxy(REDIS.getHost(), REDIS.getPort()));
        TestServer a = quickNode("a", REDIS.getPort());
        TestServer b = quickNode("b", redisOfB.port());
        WsClient onB = login(b, "erin", null);
        onB.send("{\"type\":\"subscribe\",\"topics\":[\"quiet\"]}");
        onB.awaitFrame(f -> f.contains("\"type\":\"positions\"") && f.contains("quiet"));
        long subscriptions = broker(b).counters().subscriptions();

        redisOfB.cut();
        long cutAt = System.nanoTime();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> !broker(b).connected());
        List<String> ids = new ArrayList<>();
        for (int n = 1; n <= 5; n++) {
            ids.add(a.publishToUser("erin", "{\"n\":" + n + "}"));
        }
        ids.add(a.publish("{\"to\":{\"topics\":[\"quiet\"]},\"data\":\"only one\"}").getString("id"));
        holdTheOutage(cutAt);
        redisOfB.restore();

        // no further message on either stream: the return of the subscription alone brings them, by position
        Awaitility.await().atMost(WsClient.WAIT).until(() -> messages(onB).size() >= 6);
        assertThat(broker(b).counters().subscriptions()).isGreaterThan(subscriptions);
        assertThat(onB.messageIds()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(positions(messages(onB).stream().filter(f -> !f.contains("quiet")).toList())).containsExactlyElementsOf(oneTo(5));
    }

    @Test
    void a_silent_split_from_redis_is_noticed_within_the_redis_timeout_and_healed_by_catching_up() throws Exception {
        ToxicProxy redisOfB = cluster.closeLater(new ToxicProxy(REDIS.getHost(), REDIS.getPort()));
        TestServer a = quickNode("a", REDIS.getPort());
        TestServer b = quickNode("b", redisOfB.port());
        WsClient onA = login(a, "frank", null);
        WsClient onB = login(b, "frank", null);
        WsClient elsewhereOnB = login(b, "grace", null);

        redisOfB.silence(); // no reset, nothing answers: only b's PINGs going unanswered can tell
        long silencedAt = System.nanoTime();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> !broker(b).connected());
        // a PING every third of the timeout, unanswered for the timeout: noticed within about 1.3 timeouts (4 allowed for a busy machine)
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - silencedAt)).isLessThan(java.time.Duration.ofMillis(4 * QUICK_TIMEOUT_MS));

        // during the split: publishes on either side are accepted and reach that side's own connections
        for (int n = 1; n <= 4; n++) {
            a.publish(toUser("frank", n));
        }
        String fromB = b.publishToUser("grace", "{\"n\":1}");
        Awaitility.await().atMost(WsClient.WAIT).until(() -> messages(onA).size() == 4);
        assertThat(elsewhereOnB.awaitMessageIds(1)).containsExactly(fromB);
        holdTheOutage(silencedAt);

        redisOfB.restore();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> messages(onB).size() >= 4);
        assertThat(positions(messages(onB))).containsExactlyElementsOf(oneTo(4));
        Awaitility.await().atMost(WsClient.WAIT).until(() -> broker(b).connected());
        a.publish(toUser("frank", 5)); // and live delivery across nodes is back
        Awaitility.await().atMost(WsClient.WAIT).until(() -> messages(onB).size() >= 5);
        assertThat(positions(messages(onB))).containsExactlyElementsOf(oneTo(5));
    }
}
