package dev.herald.core;

import dev.herald.core.auth.DevAuthenticator;
import dev.herald.core.broker.MemoryBroker;
import dev.herald.core.delivery.Durability;
import dev.herald.core.delivery.RecipientStore;
import dev.herald.core.delivery.ReceiptListener;
import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.message.PublishRequest;
import dev.herald.core.message.Target;
import dev.herald.core.connection.ClientConnection;
import dev.herald.core.protocol.ClientFrameParser;
import dev.herald.core.protocol.ProtocolLimits;
import dev.herald.core.store.Appended;
import dev.herald.core.store.Maintenance;
import dev.herald.core.store.MemoryMessageStore;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.Receipt;
import dev.herald.core.store.Replay;
import dev.herald.core.store.ReplayRequest;
import dev.herald.core.store.StatusUpdate;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoredMessage;
import dev.herald.core.testing.FakeSession;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client logs in at the worst moment of a publish: the message is committed (so the login's replay
 * reads it) but its publisher has not fanned it out yet. It must still reach the client exactly once.
 */
class LoginDuringPublishTest {
    private static final ProtocolLimits LIMITS = new ProtocolLimits(16, 10, Duration.ofSeconds(25), Duration.ofSeconds(10));

    private final HubStats stats = new HubStats();
    private final Hub hub = new Hub(16, stats);
    private final MemoryBroker broker = new MemoryBroker();
    private final PausingStore store = new PausingStore();
    private final RecipientStore recipientStore = new RecipientStore(store, Clock.systemUTC(), stats, ReceiptListener.NONE, 10_000);
    private final PushCenter center = new PushCenter(hub, broker, stats, Clock.systemUTC(), "n", "test", store, recipientStore,
            Durability.defaults());

    LoginDuringPublishTest() {
        broker.start(envelope -> hub.deliver(envelope.targets(), envelope.message()));
    }

    @AfterEach
    void stop() {
        store.resume();
        store.close();
    }

    /**
     * A memory store whose next append commits at once but runs its caller's step (the live fan-out) only when the
     * test says so: a commit whose fan-out is as late as it can be (a preempted completion, a slow broker).
     */
    private static final class PausingStore implements MessageStore {
        private final MemoryMessageStore delegate = new MemoryMessageStore(StoreLimits.defaults());
        private volatile boolean holdNext;
        private final CompletableFuture<Void> release = new CompletableFuture<>();
        final CountDownLatch committed = new CountDownLatch(1);
        /** Run once by the next read of a user's inbox, right after the store took its snapshot. */
        volatile Runnable afterNextUserRead;

        void holdNextFanOut() {
            holdNext = true;
        }

        /** Runs the held fan-out now, on the calling thread. */
        void resume() {
            release.complete(null);
        }

        @Override
        public <T> CompletableFuture<T> append(List<StoredMessage> messages, Function<List<Appended>, T> then) {
            if (!holdNext) {
                return delegate.append(messages, then);
            }
            holdNext = false;
            CompletableFuture<List<Appended>> done = delegate.append(messages);
            done.thenRun(committed::countDown);
            return done.thenCombine(release, (appended, v) -> then.apply(appended));
        }

        @Override
        public CompletableFuture<Replay> replay(ReplayRequest request, long now) {
            CompletableFuture<Replay> result = delegate.replay(request, now);
            Runnable hook = afterNextUserRead;
            if (hook != null && request.stream() instanceof Target.User) {
                afterNextUserRead = null;
                hook.run();
            }
            return result;
        }

        @Override
        public CompletableFuture<Integer> updateStatus(List<StatusUpdate> updates) {
            return delegate.updateStatus(updates);
        }

        @Override
        public CompletableFuture<Optional<Receipt>> receipt(String messageId, long now) {
            return delegate.receipt(messageId, now);
        }

        @Override
        public CompletableFuture<Maintenance> maintain(long now) {
            return delegate.maintain(now);
        }

        @Override
        public String describe() {
            return "pausing memory store (tests)";
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    private static PublishRequest toUser(String uid, String text) {
        return PublishRequest.toUser(uid, JsonText.quote(text), text.getBytes(StandardCharsets.UTF_8));
    }

    private static long count(FakeSession session, String text) {
        return session.frames().stream().filter(f -> f.contains("\"data\":\"" + text + "\"")).count();
    }

    /** The duplicate {@code committingSeq} once guarded against, made deterministic: the fan-out comes after the replay ended. */
    @Test
    void a_message_committed_before_the_login_replay_but_fanned_out_after_it_reaches_the_client_once() throws Exception {
        store.holdNextFanOut();
        CompletableFuture<PushCenter.Published> publishing = center.publish(toUser("u", "first"));
        assertThat(store.committed.await(10, TimeUnit.SECONDS)).isTrue();

        FakeSession session = new FakeSession("c1");
        ClientConnection connection = new ClientConnection(session, hub, new DevAuthenticator(), new ClientFrameParser(),
                LIMITS, "n", recipientStore);
        connection.start(null, "u", null);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> count(session, "first") > 0
                && !session.cursors().replaying(new Target.User("u")));

        store.resume(); // the fan-out of "first" runs now, after the replay that sent it
        assertThat(publishing.get(10, TimeUnit.SECONDS).delivered()).isEqualTo(1);
        center.publish(toUser("u", "second")).get(10, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> count(session, "second") > 0);

        assertThat(count(session, "first")).as(session.frames().toString()).isEqualTo(1);
        assertThat(session.frames()).hasSize(4); // welcome, first, positions, second
        assertThat(session.cursors().dropped()).isEqualTo(1);
    }

    @Test
    void messages_published_while_a_resuming_login_reads_its_inbox_and_the_broadcasts_arrive_once_each() throws Exception {
        String cursor = center.publish(toUser("u", "seen")).get(10, TimeUnit.SECONDS).id();
        // between the login's two reads (inbox, then broadcast log), a direct message and a broadcast are committed
        // and fanned out: the direct one is above the inbox replay's head (it comes live, after the inbox replay),
        // the broadcast is at or below the broadcast replay's head (it comes by the replay, its live copy is dropped)
        store.afterNextUserRead = () -> {
            center.publish(toUser("u", "direct")).join();
            center.publish(new PublishRequest(List.of(), List.of(), true, "\"broadcast\"",
                    "broadcast".getBytes(StandardCharsets.UTF_8))).join();
        };
        FakeSession session = new FakeSession("c1");
        ClientConnection connection = new ClientConnection(session, hub, new DevAuthenticator(), new ClientFrameParser(),
                LIMITS, "n", recipientStore);

        connection.start(null, "u", cursor);

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> count(session, "direct") > 0 && count(session, "broadcast") > 0
                && !session.cursors().replaying(Target.Everyone.INSTANCE) && !session.cursors().replaying(new Target.User("u")));
        assertThat(count(session, "direct")).as(session.frames().toString()).isEqualTo(1);
        assertThat(count(session, "broadcast")).as(session.frames().toString()).isEqualTo(1);
        assertThat(session.frames().stream().filter(f -> f.contains("\"data\":\"broadcast\"")).findFirst().orElseThrow())
                .contains("\"all\":true,\"pos\":1,");
    }
}
