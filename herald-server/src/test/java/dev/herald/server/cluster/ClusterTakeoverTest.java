package dev.herald.server.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.herald.core.JsonText;
import dev.herald.server.config.Setting;
import dev.herald.server.testing.TestCluster;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Work a killed node held is done by another within the stated time: a webhook delivery it had claimed (leased for
 * {@code notify.lease}) and was sending when it died is sent again by another node once the lease expires; a fallback
 * it scheduled fires on another node at its time. The webhook endpoint here answers the first request never, as an
 * endpoint that hangs while the node sending to it dies.
 */
class ClusterTakeoverTest {
    private static final Duration LEASE = Duration.ofMillis(2500);
    private static final Duration POLL = Duration.ofMillis(100);

    private TestCluster cluster;
    private HttpServer endpoint;
    private ExecutorService endpointThreads;
    private final List<Long> arrivals = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean hangFirst;

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster();
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        endpointThreads = Executors.newCachedThreadPool();
        endpoint.setExecutor(endpointThreads);
        endpoint.createContext("/", this::handle);
        endpoint.start();
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        cluster.close();
        endpoint.stop(0);
        endpointThreads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        boolean first;
        synchronized (arrivals) {
            first = arrivals.isEmpty();
            arrivals.add(System.nanoTime());
            bodies.add(body);
        }
        if (first && hangFirst) {
            try {
                release.await(30, TimeUnit.SECONDS); // the node sending it is killed meanwhile
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
    }

    private String url() {
        return "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/hook";
    }

    private TestServer node(String id) {
        TestServer node = cluster.node(id, TestCluster.REDIS.getPort(), Map.of(
                Setting.NOTIFY_ALLOW_LOOPBACK, "true", Setting.NOTIFY_TIMEOUT, "1s", Setting.NOTIFY_LEASE, LEASE.toMillis() + "ms",
                Setting.NOTIFY_POLL_INTERVAL, POLL.toMillis() + "ms", Setting.NOTIFY_RETRY_INITIAL, "50ms", Setting.NOTIFY_RETRY_MAX, "100ms"));
        Awaitility.await().atMost(WsClient.WAIT).until(() -> ((RedisBroker) node.server().broker()).connected());
        return node;
    }

    private static JsonObject onlyDelivery(TestServer s, String messageId) {
        JsonArray d = s.receipt(messageId).getJsonArray("deliveries");
        assertThat(d).hasSize(1);
        return d.getJsonObject(0);
    }

    @Test
    void a_delivery_a_killed_node_was_sending_is_sent_by_another_node_once_its_lease_expires() {
        hangFirst = true;
        TestServer a = node("a");
        String id = a.publish("{\"to\":{\"webhook\":{\"url\":" + JsonText.quote(url()) + "}},\"data\":\"x\"}").getString("id");
        Awaitility.await().atMost(WsClient.WAIT).until(() -> arrivals.size() == 1); // a claimed it and is sending it
        long claimedBy = arrivals.get(0);
        a.server().halt();

        TestServer b = node("b"); // started after a's claim, so only a's lease can have held the delivery
        Awaitility.await().atMost(LEASE.multipliedBy(4)).until(() -> arrivals.size() >= 2);
        Duration takenOver = Duration.ofNanos(arrivals.get(1) - claimedBy);
        // not before the lease expired (a's claim still held it), and within the lease plus a poll or two after
        assertThat(takenOver).isGreaterThanOrEqualTo(LEASE.minusMillis(100)).isLessThan(LEASE.plus(Duration.ofSeconds(2)));
        assertThat(new JsonObject(bodies.get(1)).getString("messageId")).isEqualTo(id);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> onlyDelivery(b, id).getString("state"), "sent"::equals);
    }

    @Test
    void a_fallback_a_killed_node_scheduled_fires_on_another_node_at_its_time() {
        TestServer a = node("a");
        TestServer b = node("b");
        a.http().send(a.http().request("/api/v1/users/u1/contacts").header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"webhook\":{\"url\":" + JsonText.quote(url()) + "}}")));
        WsClient client = a.connect("uid=u1");
        cluster.closeLater(client::close);
        client.awaitFrame(f -> f.contains("\"type\":\"positions\""));

        long published = System.nanoTime();
        String id = a.publish("{\"to\":{\"users\":[\"u1\"]},\"data\":\"approve?\",\"fallback\":{\"after\":\"1s\",\"channels\":[\"webhook\"]}}")
                .getString("id");
        client.awaitMessageIds(1); // seen, never acked
        a.server().halt(); // the node that set the timer is gone before it fires

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> arrivals.size() >= 1);
        Duration firedAfter = Duration.ofNanos(arrivals.get(0) - published);
        assertThat(firedAfter).isGreaterThanOrEqualTo(Duration.ofSeconds(1)).isLessThan(Duration.ofSeconds(3));
        assertThat(new JsonObject(bodies.get(0)).getString("messageId")).isEqualTo(id);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> onlyDelivery(b, id).getString("state"), "sent"::equals);
    }
}
