package dev.herald.server.net;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.TestServers;
import dev.herald.server.testing.WsClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code herald.send.delivery.latency}: one {@code /send} in {@link DeliveryLatency#SAMPLE_EVERY} per event loop is
 * timed from its publish to its frame written; nothing else is, and the others cost no clock read.
 */
class DeliveryLatencyTest {
    private final TestServers servers = new TestServers();

    @AfterEach
    void stop() {
        servers.close();
    }

    @Test
    void one_request_in_sample_every_arms_the_probe_until_its_publish_ends() {
        DeliveryLatency latency = new DeliveryLatency(new SimpleMeterRegistry());
        int armed = 0;
        for (int i = 0; i < 4 * DeliveryLatency.SAMPLE_EVERY; i++) {
            latency.begin();
            if (DeliveryLatency.armed() != null) {
                armed++;
                assertThat(DeliveryLatency.armed().startNanos).isPositive().isLessThanOrEqualTo(System.nanoTime());
            }
            DeliveryLatency.end();
            assertThat(DeliveryLatency.armed()).isNull();
        }
        assertThat(armed).isEqualTo(4);
    }

    @Test
    void another_thread_publishing_meanwhile_is_not_timed() throws Exception {
        DeliveryLatency latency = new DeliveryLatency(new SimpleMeterRegistry());
        latency.begin(); // the first call on a thread is a timed one
        assertThat(DeliveryLatency.armed()).isNotNull();
        assertThat(CompletableFuture.supplyAsync(DeliveryLatency::armed).get()).isNull();
        DeliveryLatency.end();
    }

    @Test
    void seed_sends_to_a_connected_user_are_timed_to_the_socket() {
        TestServer s = servers.devMode(Map.of());
        WsClient seed = s.connectSeed("u1");
        int requests = 4 * DeliveryLatency.SAMPLE_EVERY;

        for (int i = 0; i < requests; i++) {
            String message = "m" + i;
            Http.Response r = i % 2 == 0 ? s.http().get("/send?uid=u1&persist=false&message=" + message)
                    : s.http().postForm("/send", "uid=u1&persist=false&message=" + message);
            assertThat(r.status()).isEqualTo(200);
            seed.awaitFrame(message::equals);
        }

        Http.Response metrics = s.http().get("/metrics");
        double timed = metrics.metric("herald_send_delivery_latency_seconds_count");
        // sequential requests on one keep-alive connection: one loop, one request in SAMPLE_EVERY (a few more when
        // the client opened another connection, served by another loop)
        assertThat(timed).isGreaterThanOrEqualTo(requests / DeliveryLatency.SAMPLE_EVERY).isLessThan(requests / 2.0);
        assertThat(metrics.metric("herald_send_delivery_latency_seconds_sum")).isPositive();
        assertThat(metrics.body()).contains("herald_send_delivery_latency_seconds_bucket");
    }

    @Test
    void durable_sends_and_sends_to_nobody_are_not_timed() {
        TestServer s = servers.devMode(Map.of());
        WsClient seed = s.connectSeed("u1");

        for (int i = 0; i < 2 * DeliveryLatency.SAMPLE_EVERY; i++) {
            s.http().get("/send?uid=nobody&persist=false&message=x");
            s.http().get("/send?uid=u1&message=durable" + i);
        }
        seed.awaitFrame(("durable" + (2 * DeliveryLatency.SAMPLE_EVERY - 1))::equals);

        assertThat(s.http().get("/metrics").metric("herald_send_delivery_latency_seconds_count")).isZero();
    }
}
