package dev.herald.server.durable;

import dev.herald.core.broker.Broker;
import dev.herald.core.broker.BrokerEnvelope;
import dev.herald.core.broker.BrokerListener;
import dev.herald.core.broker.MemoryBroker;
import dev.herald.core.session.BaseSession;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hole half of the read rule, end to end on one node: a broker that loses envelopes (as Redis does in an
 * outage) leaves holes in a connection's streams; the stream's next live message shows the hole, and the
 * connection replays it from the store before sending that message. Deterministic: the broker drops exactly the
 * envelopes it is told to.
 */
class HoleFillTest {
    private final LosingBroker broker = new LosingBroker();
    private final TestServer server = TestServer.devMode(Map.of(), broker);

    @AfterEach
    void stop() {
        server.close();
    }

    /** A real {@link MemoryBroker} that loses the next {@link #loseNext} envelopes entirely. */
    static final class LosingBroker implements Broker {
        private final MemoryBroker delegate = new MemoryBroker();
        private final AtomicInteger toLose = new AtomicInteger();

        void loseNext(int n) {
            toLose.set(n);
        }

        @Override
        public void start(BrokerListener listener) {
            delegate.start(listener);
        }

        @Override
        public int publish(BrokerEnvelope envelope) {
            return toLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 0 : delegate.publish(envelope);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    private WsClient login(String uid) {
        WsClient client = server.connect("uid=" + uid);
        client.awaitFrame(f -> f.contains("\"type\":\"positions\""));
        return client;
    }

    private long holes(String uid) {
        return server.server().hub().sessions(uid).stream().mapToLong(s -> ((BaseSession) s).cursors().holes()).sum();
    }

    @Test
    void messages_the_broker_lost_reach_the_connection_from_the_store_before_the_next_one_with_receipts() {
        WsClient client = login("erin");
        broker.loseNext(2);
        String lost1 = server.publishToUser("erin", "\"one\"");
        String lost2 = server.publishToUser("erin", "\"two\"");
        String next = server.publishToUser("erin", "\"three\"");

        assertThat(client.awaitMessageIds(3)).containsExactly(lost1, lost2, next);
        List<String> frames = client.frames().stream().filter(WsClient::isMessage).toList();
        assertThat(frames.get(0)).contains("\"pos\":1", "\"one\"");
        assertThat(frames.get(1)).contains("\"pos\":2");
        assertThat(frames.get(2)).contains("\"pos\":3");
        assertThat(holes("erin")).isEqualTo(1);
        server.awaitStatus(lost1, "erin", "delivered"); // replayed inbox messages are receipts too
    }

    @Test
    void a_topic_message_the_broker_lost_is_replayed_through_the_topic() {
        WsClient client = login("finn");
        client.send("{\"type\":\"subscribe\",\"topics\":[\"news\"]}");
        client.awaitFrame(f -> f.contains("\"type\":\"positions\"") && f.contains("news"));
        broker.loseNext(1);
        String lost = server.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":\"lost\"}").getString("id");
        String next = server.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":\"next\"}").getString("id");

        assertThat(client.awaitMessageIds(2)).containsExactly(lost, next);
        assertThat(client.frames().stream().filter(WsClient::isMessage).toList().get(0)).contains("\"topic\":\"news\"", "\"pos\":1");
    }

    @Test
    void a_message_to_the_user_and_a_topic_it_follows_comes_once_and_leaves_no_hole() {
        WsClient client = login("gus");
        client.send("{\"type\":\"subscribe\",\"topics\":[\"news\"]}");
        client.awaitFrame(f -> f.contains("\"type\":\"positions\"") && f.contains("news"));
        String both = server.publish("{\"to\":{\"users\":[\"gus\"],\"topics\":[\"news\"]},\"data\":\"both\"}").getString("id");
        String topicOnly = server.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":\"topic\"}").getString("id");

        assertThat(client.awaitMessageIds(2)).containsExactly(both, topicOnly);
        assertThat(holes("gus")).isZero();
    }
}
