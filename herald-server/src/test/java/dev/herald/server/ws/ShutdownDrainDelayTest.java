package dev.herald.server.ws;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code shutdown.drain-delay}: on shutdown the node first answers 503 on {@code /health/ready} and refuses new
 * connections while its open ones stay, for the delay (a load balancer's checks take it out meanwhile), and only
 * then closes them with 1001 so that they reconnect elsewhere.
 */
class ShutdownDrainDelayTest {
    @Test
    void the_health_check_fails_first_and_the_connections_close_with_1001_after_the_drain_delay() {
        TestServer server = TestServer.devMode(Map.of(Setting.SHUTDOWN_DRAIN_DELAY, "1s"));
        WsClient client = server.connectHerald("u");
        long started = System.nanoTime();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.server().shutdown(Duration.ofSeconds(2)));
        try {
            Awaitility.await().atMost(WsClient.WAIT).until(() -> server.http().get("/health/ready").status() == 503);
            assertThat(client.isClosed()).as("still open while the load balancer takes the node out").isFalse();
            assertThat(server.http().get("/api/v1/stats").status()).isEqualTo(503);

            assertThat(client.awaitClose()).isEqualTo(1001);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        } finally {
            stopping.join();
            server.close();
        }
    }
}
