package dev.herald.core;

import dev.herald.core.auth.DevAuthenticator;
import dev.herald.core.broker.MemoryBroker;
import dev.herald.core.delivery.Durability;
import dev.herald.core.delivery.Inbox;
import dev.herald.core.delivery.ReceiptListener;
import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.message.PublishRequest;
import dev.herald.core.message.Target;
import dev.herald.core.protocol.ClientConnection;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

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
    private final Inbox inbox = new Inbox(store, Clock.systemUTC(), stats, ReceiptListener.NONE, 10_000);
    private final PushCenter center = new PushCenter(hub, broker, stats, Clock.systemUTC(), "n", "test", store, inbox,
            Durability.defaults());
    private final ExecutorService threads = Executors.newCachedThreadPool();

    LoginDuringPublishTest() {
        broker.start(delivery -> hub.deliver(delivery.targets(), delivery.message()));
    }

    @AfterEach
    void stop() {
        store.resume();
        threads.shutdownNow();
        store.close();
    }

    /** A memory store whose {@code append} can be made to return late: committed and completed, but its caller held up (as by preemption). */
    private static final class PausingStore implements MessageStore {
        private final MemoryMessageStore delegate = new MemoryMessageStore(StoreLimits.defaults());
        private volatile CountDownLatch pause = new CountDownLatch(0);
        final CountDownLatch paused = new CountDownLatch(1);
        /** Run once by the next read of a user's inbox, right after the store took its snapshot. */
        volatile Runnable afterNextUserRead;

        void pauseAppendCallers() {
            pause = new CountDownLatch(1);
        }

        void resume() {
            pause.countDown();
        }

        @Override
        public CompletableFuture<List<Appended>> append(List<StoredMessage> messages) {
            CompletableFuture<List<Appended>> result = delegate.append(messages);
            if (pause.getCount() > 0) {
                result.join(); // committed and completed: whoever attaches to it later runs on its own thread
                paused.countDown();
                try {
                    pause.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return result;
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

    private static boolean parked(Thread[] thread) {
        return thread[0] != null && thread[0].getState() == Thread.State.WAITING;
    }

    private static long count(FakeSession session, String text) {
        return session.frames().stream().filter(f -> f.contains("\"data\":\"" + text + "\"")).count();
    }

    @Test
    void a_message_committed_before_the_login_replay_but_fanned_out_after_it_reaches_the_client_once() throws Exception {
        store.pauseAppendCallers();
        CompletableFuture<PushCenter.Published> publishing = CompletableFuture.supplyAsync(
                () -> center.publish(toUser("u", "first")).join(), threads);
        assertThat(store.paused.await(10, TimeUnit.SECONDS)).isTrue();

        FakeSession session = new FakeSession("c1");
        ClientConnection connection = new ClientConnection(session, hub, new DevAuthenticator(), new ClientFrameParser(),
                LIMITS, "n", inbox);
        Thread[] loginThread = new Thread[1];
        CompletableFuture<Void> login = CompletableFuture.runAsync(() -> {
            loginThread[0] = Thread.currentThread();
            connection.start(null, "u", null);
        }, threads);
        // the login either replays at once, or waits until the publisher has fanned out what it committed
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> count(session, "first") > 0
                || parked(loginThread));
        store.resume();
        publishing.get(10, TimeUnit.SECONDS);
        login.get(10, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> count(session, "first") > 0);

        center.publish(toUser("u", "second")).get(10, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> count(session, "second") > 0);

        assertThat(count(session, "first")).as(session.frames().toString()).isEqualTo(1);
        assertThat(session.frames()).hasSize(3); // welcome, first, second
    }

    @Test
    void messages_published_while_a_resuming_login_reads_its_inbox_and_the_broadcasts_arrive_in_id_order() throws Exception {
        String cursor = center.publish(toUser("u", "seen")).get(10, TimeUnit.SECONDS).id();
        Thread[] publisher = new Thread[1];
        CompletableFuture<Void>[] publishing = new CompletableFuture[1];
        // between the login's two reads, another thread publishes a direct message, then a broadcast
        store.afterNextUserRead = () -> {
            publishing[0] = CompletableFuture.runAsync(() -> {
                publisher[0] = Thread.currentThread();
                center.publish(toUser("u", "direct")).join();
                center.publish(new PublishRequest(List.of(), List.of(), true, "\"broadcast\"",
                        "broadcast".getBytes(StandardCharsets.UTF_8))).join();
            }, threads);
            // it either gets through, or waits until the login has read every stream
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> publishing[0].isDone() || parked(publisher));
        };
        FakeSession session = new FakeSession("c1");
        ClientConnection connection = new ClientConnection(session, hub, new DevAuthenticator(), new ClientFrameParser(),
                LIMITS, "n", inbox);

        connection.start(null, "u", cursor);

        publishing[0].get(10, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> count(session, "direct") > 0 && count(session, "broadcast") > 0);
        List<String> ids = session.frames().stream().filter(f -> f.startsWith("{\"type\":\"message\"")).map(f -> f.substring(24, 50)).toList();
        assertThat(ids).as(session.frames().toString()).hasSize(2).isSorted();
    }
}
