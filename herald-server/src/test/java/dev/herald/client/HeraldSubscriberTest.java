package dev.herald.client;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.Tokens;
import dev.herald.server.testing.ToxicProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Java subscriber against a real Herald: delivery, acks, resume across a restart, a kick, a dead connection, tokens. */
class HeraldSubscriberTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Retries come quickly in tests; the jitter stays on. */
    private static final Backoff QUICK = new Backoff(Duration.ofMillis(50), Duration.ofMillis(300), 1, Duration.ofMinutes(1));

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    private HeraldSubscriber subscribe(URI url, RecordingListener listener, java.util.function.Consumer<HeraldSubscriber.Builder> options) {
        HeraldSubscriber.Builder b = HeraldSubscriber.builder(url).listener(listener).backoff(QUICK);
        options.accept(b);
        HeraldSubscriber s = closing(b.build());
        s.start();
        await().atMost(WAIT).until(() -> listener.opens() >= 1);
        return s;
    }

    private static URI url(int port) {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Test
    void direct_topic_and_broadcast_messages_reach_the_listener_off_the_io_thread_and_are_acked() {
        TestServer server = closing(TestServer.devMode());
        RecordingListener got = new RecordingListener();
        HeraldSubscriber s = subscribe(url(server.port()), got, b -> b.uid("alice").topics("news"));
        await().atMost(WAIT).until(() -> s.positions().containsKey("topic:news")); // the subscribe's positions frame

        String direct = server.publishToUser("alice", "\"hello\"");
        server.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":{\"headline\":\"rain\"}}");
        server.publish("{\"to\":{\"all\":true},\"data\":\"maintenance\"}");

        await().atMost(WAIT).until(() -> got.messages.size() == 3);
        assertThat(got.texts()).containsExactlyInAnyOrder("hello", "{\"headline\":\"rain\"}", "maintenance");
        assertThat(got.messages).anySatisfy(m -> assertThat(m.topic()).isEqualTo("news"));
        assertThat(got.messages).anySatisfy(m -> assertThat(m.all()).isTrue());
        assertThat(got.threads).allMatch(name -> name.equals("herald-subscriber-events"));
        server.awaitStatus(direct, "alice", "acked");
    }

    @Test
    void without_auto_ack_a_message_comes_back_until_the_application_acks_it() {
        TestServer server = closing(TestServer.devMode());
        RecordingListener first = new RecordingListener();
        HeraldSubscriber s = subscribe(url(server.port()), first, b -> b.uid("bob").autoAck(false));
        String id = server.publishToUser("bob", "\"unprocessed\"");
        await().atMost(WAIT).until(() -> first.messages.size() == 1);
        s.close();

        RecordingListener second = new RecordingListener(); // a fresh process: no positions, so the unacked are replayed
        HeraldSubscriber again = subscribe(url(server.port()), second, b -> b.uid("bob").autoAck(false));
        await().atMost(WAIT).until(() -> second.messages.size() == 1);
        assertThat(second.ids()).containsExactly(id);
        second.messages.get(0).ack();
        server.awaitStatus(id, "bob", "acked");
        again.close();

        RecordingListener third = new RecordingListener();
        subscribe(url(server.port()), third, b -> b.uid("bob"));
        String next = server.publishToUser("bob", "\"next\"");
        await().atMost(WAIT).until(() -> third.ids().contains(next));
        assertThat(third.ids()).containsExactly(next);
    }

    @Test
    void a_server_restart_is_survived_by_resuming_each_stream_without_loss_or_repeat() throws Exception {
        Path data = Files.createTempDirectory("herald-subscriber-restart");
        TestServer first = TestServer.devMode(Map.of(Setting.DATA_DIR, data.toString()));
        int port = first.port();
        RecordingListener got = new RecordingListener();
        // a slow first retry, so what is published right after the restart is replayed rather than pushed live
        Backoff slow = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(2), 0, Duration.ofMinutes(1));
        HeraldSubscriber s = subscribe(url(port), got, b -> b.uid("carol").topics("news").backoff(slow));
        await().atMost(WAIT).until(() -> s.positions().containsKey("topic:news"));
        first.publishToUser("carol", "\"before\"");
        first.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":\"news before\"}");
        await().atMost(WAIT).until(() -> got.messages.size() == 2);

        first.close();
        await().atMost(WAIT).until(() -> got.last().state() == SubscriberState.Kind.RECONNECTING);
        assertThat(got.last().code()).isEqualTo(1001);
        TestServer second = closing(TestServer.devMode(Map.of(Setting.DATA_DIR, data.toString(), Setting.PORT, String.valueOf(port))));
        second.publishToUser("carol", "\"while away 1\"");
        second.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":\"news while away\"}");
        second.publishToUser("carol", "\"while away 2\"");

        await().atMost(WAIT).until(() -> got.messages.size() == 5);
        assertThat(got.opens()).isEqualTo(2);
        // order is promised per stream: the inbox and the topic each in publish order, nothing twice
        assertThat(got.messages.stream().filter(m -> m.topic() == null).map(ReceivedMessage::text))
                .containsExactly("before", "while away 1", "while away 2");
        assertThat(got.messages.stream().filter(m -> m.topic() != null).map(ReceivedMessage::text))
                .containsExactly("news before", "news while away");
        assertThat(got.gaps).isEmpty();
        second.publishToUser("carol", "\"live\"");
        await().atMost(WAIT).until(() -> got.texts().contains("live"));
        assertThat(got.messages).hasSize(6);
    }

    @Test
    void a_kick_closes_for_good_while_a_shutdown_is_retried() {
        TestServer server = closing(TestServer.devMode());
        RecordingListener got = new RecordingListener();
        HeraldSubscriber s = subscribe(url(server.port()), got, b -> b.uid("dave"));

        assertThat(server.http().delete("/api/v1/users/dave/connections").status()).isEqualTo(200);

        await().atMost(WAIT).until(() -> s.state() == SubscriberState.Kind.CLOSED);
        assertThat(got.last().code()).isEqualTo(4004);
        assertThat(got.states).noneMatch(st -> st.state() == SubscriberState.Kind.RECONNECTING);
        assertThat(server.server().hub().sessions("dave")).isEmpty();
    }

    @Test
    void a_connection_that_stops_answering_is_given_up_within_the_pong_timeout_and_resumed() throws Exception {
        TestServer server = closing(TestServer.devMode());
        ToxicProxy proxy = closing(new ToxicProxy("127.0.0.1", server.port()));
        RecordingListener got = new RecordingListener();
        subscribe(url(proxy.port()), got, b -> b.uid("erin")
                .pingInterval(Duration.ofMillis(300)).pongTimeout(Duration.ofMillis(700)));
        server.publishToUser("erin", "\"one\"");
        await().atMost(WAIT).until(() -> got.messages.size() == 1);

        proxy.freeze(); // the socket stays open, nothing gets through: only the unanswered ping can tell
        long frozenAt = System.nanoTime();
        server.publishToUser("erin", "\"two\"");

        await().atMost(WAIT).until(() -> got.states.stream().anyMatch(st -> st.code() == 1006));
        // long before the server's own heartbeat timeout (40 s) would have noticed
        assertThat(Duration.ofNanos(System.nanoTime() - frozenAt)).isLessThan(Duration.ofSeconds(5));
        assertThat(got.states).anySatisfy(st -> assertThat(st.reason()).startsWith("no answer to a ping"));
        await().atMost(WAIT).until(() -> got.texts().equals(List.of("one", "two")));
        assertThat(got.opens()).isEqualTo(2);
    }

    @Test
    void the_token_supplier_is_asked_before_every_connect_and_a_refused_token_stops_after_a_second_try() throws Exception {
        TestServer server = closing(TestServer.withAuth(Map.of()));
        ToxicProxy proxy = closing(new ToxicProxy("127.0.0.1", server.port()));
        AtomicInteger asked = new AtomicInteger();
        RecordingListener got = new RecordingListener();
        subscribe(url(proxy.port()), got, b -> b.token(() -> {
            asked.incrementAndGet();
            return Tokens.hs256("frank");
        }));
        assertThat(asked).hasValue(1);

        proxy.cut(); // the network drops: a reconnect, with a token asked for again
        proxy.restore();
        await().atMost(WAIT).until(() -> got.opens() == 2);
        assertThat(asked.get()).isGreaterThanOrEqualTo(2);
        server.publishToUser("frank", "\"after the drop\"");
        await().atMost(WAIT).until(() -> got.texts().contains("after the drop"));

        RecordingListener refused = new RecordingListener();
        AtomicInteger badAsked = new AtomicInteger();
        HeraldSubscriber bad = closing(HeraldSubscriber.builder(url(server.port())).listener(refused).backoff(QUICK)
                .token(() -> {
                    badAsked.incrementAndGet();
                    return "not.a.token";
                }).build());
        bad.start();
        await().atMost(WAIT).until(() -> bad.state() == SubscriberState.Kind.CLOSED && refused.last().state() == SubscriberState.Kind.CLOSED);
        assertThat(refused.last().code()).isEqualTo(4001);
        assertThat(badAsked).hasValue(2); // one fresh token may fix a 4001; a second refusal means it will not
    }

    @Test
    void messages_dropped_by_the_inbox_cap_while_away_are_reported_as_a_gap() throws Exception {
        TestServer server = closing(TestServer.devMode(Map.of(Setting.MESSAGES_INBOX_CAP, "2")));
        ToxicProxy proxy = closing(new ToxicProxy("127.0.0.1", server.port()));
        RecordingListener got = new RecordingListener();
        subscribe(url(proxy.port()), got, b -> b.uid("gina"));
        server.publishToUser("gina", "\"seen\"");
        await().atMost(WAIT).until(() -> got.messages.size() == 1);

        proxy.cut();
        server.awaitGone("gina");
        for (int i = 1; i <= 4; i++) {
            server.publishToUser("gina", "\"missed " + i + "\"");
        }
        server.maintainStore(System.currentTimeMillis()); // the cap trims "seen", "missed 1" and "missed 2"
        proxy.restore();

        await().atMost(WAIT).until(() -> got.texts().contains("missed 4"));
        assertThat(got.gaps).hasSize(1);
        assertThat(got.gaps.get(0).topic()).isNull();
        assertThat(got.texts()).containsExactly("seen", "missed 3", "missed 4");
    }
}
