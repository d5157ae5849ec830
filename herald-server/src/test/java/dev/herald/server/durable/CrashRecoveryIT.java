package dev.herald.server.durable;

import dev.herald.server.testing.HeraldProcess;
import dev.herald.server.testing.ResumingSubscriber;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The durability promise under crashes: several threads publish durable messages at a steady rate
 * while the server is killed with SIGKILL and restarted, several times. Every message that got a 2xx
 * must reach its user's reconnecting client (lost = 0). Publishers retry a failed request with the same
 * Idempotency-Key, as a careful business system would; clients resume with {@code since} and
 * de-duplicate, as the SDK does.
 */
class CrashRecoveryIT {
    private static final Logger log = LoggerFactory.getLogger(CrashRecoveryIT.class);
    private static final int PUBLISHERS = 4;
    private static final int CRASHES = 3;
    private static final long PACE_NANOS = Duration.ofMillis(4).toNanos(); // ~250 messages/s per publisher

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** user → ids that were answered with a 2xx: what Herald promised to deliver. */
    private final Map<String, Set<String>> ledger = new ConcurrentHashMap<>();
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final AtomicInteger failedAttempts = new AtomicInteger();
    private final List<ResumingSubscriber> subscribers = new CopyOnWriteArrayList<>();
    private volatile boolean publishing = true;
    private HeraldProcess server;

    @AfterEach
    void stop() {
        publishing = false;
        subscribers.forEach(ResumingSubscriber::close);
        if (server != null) {
            server.close();
        }
    }

    @Test
    void every_acknowledged_message_survives_sigkill_and_reaches_its_reconnecting_client() throws Exception {
        Path dataDir = Files.createTempDirectory("herald-crash");
        int port = freePort();
        server = start(port, dataDir);
        URI api = URI.create("http://127.0.0.1:" + port);

        List<Thread> publishers = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
            String user = "crash-user-" + p;
            ledger.put(user, ConcurrentHashMap.newKeySet());
            subscribers.add(ResumingSubscriber.byId(URI.create("ws://127.0.0.1:" + port), user));
            Thread t = new Thread(() -> publish(api, user), "publisher-" + p);
            t.start();
            publishers.add(t);
        }

        for (int crash = 1; crash <= CRASHES; crash++) {
            int before = acknowledged.get();
            Awaitility.await().atMost(Duration.ofSeconds(60)).alias("publishes acknowledged before crash " + crash)
                    .until(() -> acknowledged.get() >= before + 300);
            server.crash();
            log.info("crash {}: killed with SIGKILL after {} acknowledged publishes", crash, acknowledged.get());
            server = start(port, dataDir);
        }
        int before = acknowledged.get();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.get() >= before + 300);
        publishing = false;
        for (Thread t : publishers) {
            t.join(30_000);
        }

        for (int p = 0; p < PUBLISHERS; p++) {
            ResumingSubscriber subscriber = subscribers.get(p);
            Set<String> promised = ledger.get("crash-user-" + p);
            Awaitility.await().atMost(Duration.ofSeconds(60)).alias("client of crash-user-" + p + " caught up")
                    .until(() -> new HashSet<>(subscriber.received()).containsAll(promised));
            List<String> received = subscriber.received();
            Set<String> lost = new HashSet<>(promised);
            received.forEach(lost::remove);
            log.info("crash-user-{}: {} promised, {} received, {} lost, {} duplicates hidden by the client, {} connects",
                    p, promised.size(), received.size(), lost.size(), subscriber.duplicatesHidden(), subscriber.connects());
            assertThat(lost).as("messages acknowledged with 2xx but never delivered").isEmpty();
            assertThat(received).as("ids arrive in publish order").isSorted();
            assertThat(subscriber.connects()).as("the client reconnected after each crash").isGreaterThan(CRASHES);
        }
        log.info("{} publishes acknowledged, {} attempts failed while the server was down", acknowledged.get(), failedAttempts.get());
        assertThat(failedAttempts.get()).as("some publishes hit a dead server (the crashes really happened mid-stream)").isPositive();
    }

    private HeraldProcess start(int port, Path dataDir) throws IOException {
        HeraldProcess p = HeraldProcess.start("serve", "--port", Integer.toString(port), "--data-dir", dataDir.toString(),
                "--node-id", "crash-test");
        assertThat(p.awaitPort()).isEqualTo(port);
        return p;
    }

    /** Publishes numbered messages at a steady pace; each is retried with its Idempotency-Key until it gets a 2xx. */
    private void publish(URI api, String user) {
        long next = System.nanoTime();
        for (int n = 0; publishing; n++) {
            next += PACE_NANOS;
            LockSupport.parkNanos(next - System.nanoTime()); // pacing the load, not synchronising the test
            String key = user + "-" + n;
            String body = new JsonObject().put("to", new JsonObject().put("users", List.of(user))).put("data", key).encode();
            while (true) {
                String id = tryPublish(api, key, body);
                if (id != null) {
                    ledger.get(user).add(id);
                    acknowledged.incrementAndGet();
                    break;
                }
                failedAttempts.incrementAndGet();
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // retry pacing while the server restarts
            }
        }
    }

    private String tryPublish(URI api, String key, String body) {
        HttpRequest request = HttpRequest.newBuilder(api.resolve("/api/v1/messages")).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() / 100 == 2 ? new JsonObject(response.body()).getString("id") : null;
        } catch (IOException e) {
            return null; // connection refused or reset: the server is down
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
