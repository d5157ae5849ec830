package dev.herald.server.cluster;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.HeraldProcess;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.ResumingSubscriber;
import dev.herald.server.testing.TestCluster;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three {@code herald.jar} processes as operators run them, on one PostgreSQL database and one Redis; one is killed
 * with SIGKILL while clients are connected to it and messages are being published: its clients reconnect to the
 * others and resume by position, and every message a node acknowledged reaches each of its user's clients once after
 * de-duplication by id, in position order; the killed node drops out of the cluster's stats within
 * {@code cluster.node-ttl}.
 */
class ClusterKillIT {
    private static final Duration NODE_TTL = Duration.ofSeconds(1);

    private TestCluster cluster;
    private final Random random = new Random(15);

    @BeforeEach
    void createCluster() throws Exception {
        cluster = new TestCluster();
    }

    @AfterEach
    void closeCluster() throws Exception {
        cluster.close();
    }

    private record Node(HeraldProcess process, URI ws, Http http) { }

    /** Starts the process; {@link #ready} waits for it (so the three JVMs start side by side). */
    private HeraldProcess start(String id) throws Exception {
        Map<Setting, String> settings = cluster.settings(id, TestCluster.REDIS.getPort(), TestCluster.postgresPort(),
                Map.of(Setting.CLUSTER_HEARTBEAT, "200ms", Setting.CLUSTER_NODE_TTL, NODE_TTL.toMillis() + "ms",
                        Setting.CLUSTER_REDIS_TIMEOUT, "500ms", Setting.PORT, "0",
                        Setting.DATA_DIR, java.nio.file.Files.createTempDirectory("herald-kill-" + id).toString()));
        List<String> args = new ArrayList<>(List.of("serve"));
        settings.forEach((key, value) -> {
            args.add("--" + key.key());
            args.add(value);
        });
        return cluster.closeLater(HeraldProcess.start(args.toArray(String[]::new)));
    }

    private static Node ready(HeraldProcess process) {
        int port = process.awaitPort();
        return new Node(process, URI.create("ws://127.0.0.1:" + port), new Http(URI.create("http://127.0.0.1:" + port), null));
    }

    private Node pick(List<Node> live) {
        synchronized (random) {
            return live.get(random.nextInt(live.size()));
        }
    }

    @Test
    void clients_of_a_node_killed_with_sigkill_resume_on_the_others_with_every_acknowledged_message_once_in_order() throws Exception {
        List<HeraldProcess> processes = List.of(start("a"), start("b"), start("c"));
        List<Node> live = new CopyOnWriteArrayList<>(processes.stream().map(ClusterKillIT::ready).toList());
        Node doomed = live.get(2);
        List<ResumingSubscriber> subscribers = new ArrayList<>();
        for (String user : List.of("ann", "ben")) {
            subscribers.add(cluster.closeLater(ResumingSubscriber.byPosition(user, () -> pick(live).ws())));
            subscribers.add(cluster.closeLater(ResumingSubscriber.byPosition(user, () -> live.contains(doomed) ? doomed.ws() : pick(live).ws()))); // on the doomed node first
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> subscribers.stream().allMatch(s -> s.connects() > 0));

        Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
        int[] n = {0};
        Runnable publishSome = () -> {
            for (int i = 0; i < 20; i++) {
                String user = (n[0]++ % 2 == 0) ? "ann" : "ben";
                Http.Response r = pick(live).http().postJson("/api/v1/messages",
                        "{\"to\":{\"users\":[\"" + user + "\"]},\"data\":{\"n\":" + n[0] + "}}");
                assertThat(r.status()).as(r.body()).isIn(200, 202); // 200: delivered at once to a connection of this node
                acknowledged.computeIfAbsent(user, k -> ConcurrentHashMap.newKeySet()).add(new JsonObject(r.body()).getString("id"));
            }
        };
        publishSome.run();
        for (ResumingSubscriber s : subscribers) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> s.ids().containsAll(acknowledged.get(s.userId())));
        }

        live.remove(doomed); // the load balancer's health check takes it out; its clients come back to a or b
        doomed.process().crash();
        publishSome.run();

        for (ResumingSubscriber s : subscribers) {
            Awaitility.await("user " + s.userId() + " gets every acknowledged message").atMost(Duration.ofSeconds(20))
                    .until(() -> s.ids().containsAll(acknowledged.get(s.userId())));
            List<Long> firsts = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (ResumingSubscriber.Arrival a : s.arrivals()) {
                if (seen.add(a.id())) {
                    firsts.add(a.position());
                }
            }
            assertThat(firsts).as("user %s", s.userId()).isSorted().doesNotHaveDuplicates().allMatch(p -> p > 0);
            assertThat(firsts).hasSize(acknowledged.get(s.userId()).size());
        }
        assertThat(subscribers.get(1).connects()).as("the doomed node's client reconnected elsewhere").isGreaterThan(1);

        // the killed node said no goodbye: it drops out of the cluster's stats when its heartbeat expires
        Awaitility.await().atMost(NODE_TTL.plusSeconds(5)).until(() ->
                new JsonObject(live.get(0).http().get("/api/v1/stats").body()).getJsonArray("nodes").size() == 2);
    }
}
