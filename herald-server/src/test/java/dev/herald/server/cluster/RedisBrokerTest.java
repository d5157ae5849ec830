package dev.herald.server.cluster;

import dev.herald.core.broker.BrokerEnvelope;
import dev.herald.core.message.Message;
import dev.herald.core.message.Target;
import dev.herald.core.store.StreamPosition;
import dev.herald.server.testing.TestRedis;
import dev.herald.server.testing.ToxicProxy;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two {@link RedisBroker}s on one real Redis (through a {@link ToxicProxy}, so Redis can be taken away): what one
 * publishes reaches the other's listener whole, once, in order; Redis down never fails or blocks a publish.
 */
class RedisBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final URI redis = TestRedis.server();
    /** A channel prefix of this test's own, so tests sharing a Redis never see each other's envelopes. */
    private final String prefix = "test-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private RedisBroker broker(String node, int port, List<BrokerEnvelope> into) {
        RedisBroker broker = new RedisBroker("redis://" + redis.getHost() + ":" + port, node, new RedisChannels(prefix, 4), 1000);
        open.add(broker);
        broker.start(envelope -> {
            into.add(envelope);
            return 1;
        });
        Awaitility.await().atMost(WAIT).until(broker::connected);
        return broker;
    }

    private static BrokerEnvelope envelope(String user, long position) {
        Target inbox = new Target.User(user);
        String data = "{\"n\":" + position + "}";
        return new BrokerEnvelope(List.of(inbox), new Message("m" + position, 1000 + position, data,
                data.getBytes(StandardCharsets.UTF_8), true, Map.of(inbox, new StreamPosition(position, "ep01"))));
    }

    @Test
    void an_envelope_reaches_the_other_node_whole_and_in_order_and_its_own_node_once() {
        List<BrokerEnvelope> onA = new CopyOnWriteArrayList<>();
        List<BrokerEnvelope> onB = new CopyOnWriteArrayList<>();
        RedisBroker a = broker("a", redis.getPort(), onA);
        RedisBroker b = broker("b", redis.getPort(), onB);

        for (int i = 1; i <= 50; i++) {
            assertThat(a.publish(envelope("u" + (i % 7), i))).isEqualTo(1); // this node's listener, at once
        }
        Awaitility.await().atMost(WAIT).until(() -> onB.size() == 50);

        assertThat(onB).extracting(e -> e.message().id()).containsExactlyElementsOf(onA.stream().map(e -> e.message().id()).toList());
        Message first = onB.get(0).message();
        assertThat(first.position(new Target.User("u1"))).isEqualTo(new StreamPosition(1, "ep01"));
        assertThat(first.dataJson()).isEqualTo("{\"n\":1}");
        assertThat(first.durable()).isTrue();
        assertThat(onB.get(0).targets()).containsExactly(new Target.User("u1"));
        assertThat(b.counters().received()).isEqualTo(50);
        Awaitility.await().atMost(WAIT).until(() -> a.counters().sent() == 50);
        assertThat(onA).hasSize(50); // its own envelopes, coming back from Redis, are not delivered twice
        assertThat(a.counters().received()).isZero();
    }

    @Test
    void with_redis_gone_a_publish_still_delivers_on_its_own_node_at_once_and_the_broker_reconnects() throws Exception {
        ToxicProxy proxy = new ToxicProxy(redis.getHost(), redis.getPort());
        open.add(proxy);
        List<BrokerEnvelope> onA = new CopyOnWriteArrayList<>();
        List<BrokerEnvelope> onB = new CopyOnWriteArrayList<>();
        RedisBroker a = broker("a", proxy.port(), onA);
        broker("b", redis.getPort(), onB);

        proxy.cut();
        Awaitility.await().atMost(WAIT).until(() -> !a.connected());
        long started = System.nanoTime();
        assertThat(a.publish(envelope("u", 1))).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        assertThat(onA).hasSize(1);
        assertThat(a.counters().dropped()).isEqualTo(1);

        proxy.restore();
        Awaitility.await().atMost(WAIT).until(a::connected);
        a.publish(envelope("u", 2));
        Awaitility.await().atMost(WAIT).until(() -> onB.size() == 1);
        assertThat(onB.get(0).message().id()).isEqualTo("m2"); // m1 was not sent: the store has it
    }

    @Test
    void the_url_password_never_appears_in_what_the_broker_prints() {
        RedisBroker broker = new RedisBroker("redis://:s3cret-pass@127.0.0.1:1", "n", new RedisChannels(prefix, 1), 10);
        open.add(broker);
        assertThat(broker.toString()).doesNotContain("s3cret").contains("redis://:***@127.0.0.1:1");
        assertThat(RedisUrl.redact("redis://user:pw@h:1/0")).isEqualTo("redis://user:***@h:1/0");
        assertThat(RedisUrl.redact("redis://secretonly@h:1")).isEqualTo("redis://***@h:1");
        assertThat(RedisUrl.redact("redis://h:1")).isEqualTo("redis://h:1");
    }
}
