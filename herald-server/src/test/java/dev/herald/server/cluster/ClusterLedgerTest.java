package dev.herald.server.cluster;

import dev.herald.core.message.Target;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.StreamCursors;
import dev.herald.server.config.Setting;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.ResumingSubscriber;
import dev.herald.server.testing.TestCluster;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.ToxicProxy;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ledger: three nodes (each a {@link dev.herald.server.HeraldServer} with its own Vert.x instances) on one
 * PostgreSQL database and one Redis; publishers post to random nodes and write down every message a node
 * acknowledged; subscribers connect to random nodes and, whenever their connection drops, reconnect to another
 * random node and resume by position. Meanwhile some subscribers' connections are dropped, one node is killed
 * (halted: no drain, no goodbye) and Redis restarts (every connection to it reset, new ones refused, then back).
 * At the end, every acknowledged message has reached every subscriber of its user exactly once after de-duplication
 * by id, and each subscriber got its user's messages in position order.
 */
class ClusterLedgerTest {
    private static final int USERS = 6;
    private static final int SUBSCRIBERS_PER_USER = 2;
    private static final int PUBLISHERS = 3;
    /** Quick failure detection, so that the whole run stays within a few seconds of publishing. */
    private static final Map<Setting, String> QUICK = Map.of(Setting.CLUSTER_REDIS_TIMEOUT, "300ms",
            Setting.CLUSTER_HEARTBEAT, "200ms", Setting.CLUSTER_NODE_TTL, "1s");

    private TestCluster cluster;
    private final Random random = new Random(20261207);

    @BeforeEach
    void createCluster() throws Exception {
        cluster = new TestCluster();
    }

    @AfterEach
    void closeCluster() throws Exception {
        cluster.close();
    }

    /** A node that publishers and subscribers may pick while it is alive. */
    private record Node(String id, TestServer server, URI ws, Http http) { }

    @Test
    void every_acknowledged_message_arrives_once_in_order_through_reconnects_a_killed_node_and_a_redis_restart() throws Exception {
        ToxicProxy redis = cluster.closeLater(new ToxicProxy(TestCluster.REDIS.getHost(), TestCluster.REDIS.getPort()));
        List<Node> live = new CopyOnWriteArrayList<>();
        for (String id : List.of("a", "b", "c")) {
            TestServer server = cluster.node(id, redis.port(), QUICK);
            live.add(new Node(id, server, URI.create("ws://127.0.0.1:" + server.port()), server.http()));
        }
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> live.stream().allMatch(n -> ((RedisBroker) n.server().server().broker()).connected()));

        List<ResumingSubscriber> subscribers = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            for (int s = 0; s < SUBSCRIBERS_PER_USER; s++) {
                subscribers.add(cluster.closeLater(ResumingSubscriber.byPosition("user" + u, () -> pick(live).ws())));
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> subscribers.stream().allMatch(s -> s.connects() > 0));

        // the ledger: per user, the ids of the messages a node acknowledged (2xx)
        Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger published = new AtomicInteger();
        AtomicBoolean publishing = new AtomicBoolean(true);
        ExecutorService publishers = Executors.newFixedThreadPool(PUBLISHERS);
        List<Future<?>> running = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
            int publisher = p;
            running.add(publishers.submit(() -> {
                Random r = new Random(publisher);
                int n = 0;
                while (publishing.get()) {
                    String user = "user" + r.nextInt(USERS);
                    Node node = pick(live);
                    try {
                        Http.Response answer = node.http().postJson("/api/v1/messages",
                                "{\"to\":{\"users\":[\"" + user + "\"]},\"data\":{\"p\":" + publisher + ",\"n\":" + n++ + "}}");
                        if (answer.status() == 202 || answer.status() == 200) { // committed (200: some connection had it at once)
                            acknowledged.computeIfAbsent(user, k -> ConcurrentHashMap.newKeySet())
                                    .add(new JsonObject(answer.body()).getString("id"));
                            published.incrementAndGet();
                        } else {
                            refused.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        refused.incrementAndGet(); // the node died under the request: not acknowledged, so not owed
                    }
                }
            }));
        }

        awaitPublished(published, 60);
        for (int i = 0; i < subscribers.size(); i += 3) {
            subscribers.get(i).dropConnection(); // they come back on any node and resume by position
        }
        awaitPublished(published, 120);

        Node killed = live.get(2);
        live.remove(killed); // the load balancer's health check takes it out; requests under way fail
        killed.server().server().halt();
        awaitPublished(published, 180);

        redis.cut(); // Redis restarts: every node loses both connections, then gets them back
        awaitPublished(published, 220);
        redis.restore();
        awaitPublished(published, 280);
        publishing.set(false);
        for (Future<?> f : running) {
            f.get();
        }
        publishers.shutdown();

        for (ResumingSubscriber s : subscribers) {
            Set<String> owed = acknowledged.getOrDefault(s.userId(), Set.of());
            // on failure: the ids missing, and what the subscriber went through
            Awaitility.await("user " + s.userId() + " gets every acknowledged message").atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(Set.copyOf(s.ids())).as("user %s after %d connects, other frames %s; on the nodes: %s",
                            s.userId(), s.connects(), s.otherFrames(), serverSide(s.userId(), live)).containsAll(owed));
        }
        for (ResumingSubscriber s : subscribers) {
            List<ResumingSubscriber.Arrival> firsts = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (ResumingSubscriber.Arrival a : s.arrivals()) {
                if (seen.add(a.id())) {
                    firsts.add(a);
                }
            }
            // once after de-duplication by id, and in position order (one epoch: the stream was never reset)
            assertThat(firsts).as("user %s", s.userId()).allMatch(a -> a.position() > 0);
            for (int i = 1; i < firsts.size(); i++) {
                assertThat(firsts.get(i).position()).as("user %s, message %d", s.userId(), i).isGreaterThan(firsts.get(i - 1).position());
            }
            assertThat(s.otherFrames()).doesNotContain("gap");
        }
        assertThat(subscribers.stream().mapToInt(ResumingSubscriber::connects).sum())
                .as("reconnections happened").isGreaterThan(subscribers.size());
    }

    /**
     * What the live nodes hold of the user's connections, for a failure's message: per connection, the last position
     * sent on the user's stream, whether a replay (a hole's fill or a catch-up) still runs on it, and the holes seen.
     * A connection whose replay never ended holds every later live message back.
     */
    private static String serverSide(String userId, List<Node> live) {
        Target.User stream = new Target.User(userId);
        StringBuilder out = new StringBuilder();
        for (Node node : live) {
            for (BaseSession session : node.server().server().hub().snapshot()) {
                if (userId.equals(session.userId())) {
                    StreamCursors cursors = session.cursors();
                    out.append(node.id()).append('/').append(session.id()).append(": lastSent=").append(cursors.lastSent(stream))
                            .append(" replaying=").append(cursors.replaying(stream)).append(" holes=").append(cursors.holes())
                            .append(" closedLive=").append(cursors.holesClosedLive()).append(" dropped=").append(cursors.dropped())
                            .append("; ");
                }
            }
        }
        return out.toString();
    }

    private Node pick(List<Node> live) {
        synchronized (random) {
            return live.get(random.nextInt(live.size()));
        }
    }

    private static void awaitPublished(AtomicInteger published, int atLeast) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> published.get() >= atLeast);
    }
}
