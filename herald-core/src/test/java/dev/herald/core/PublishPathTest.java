package dev.herald.core;

import dev.herald.core.broker.MemoryBroker;
import dev.herald.core.delivery.Durability;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.message.PublishRequest;
import dev.herald.core.notify.Notifications;
import dev.herald.core.notify.Notifiers;
import dev.herald.core.protocol.PublishRequestParser;
import dev.herald.core.store.Appended;
import dev.herald.core.store.Maintenance;
import dev.herald.core.store.MemoryMessageStore;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.Receipt;
import dev.herald.core.store.Replay;
import dev.herald.core.store.ReplayRequest;
import dev.herald.core.store.StatusUpdate;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoreUnavailableException;
import dev.herald.core.store.StoredMessage;
import dev.herald.core.testing.FakeSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one publish path: a single request and a batch as data, admitted, then appended or fanned out, in order. */
class PublishPathTest {
    private final HubStats stats = new HubStats();
    private final Hub hub = new Hub(4, stats);
    private final HeldStore store = new HeldStore();
    private final MemoryBroker broker = new MemoryBroker();
    private final PublishPath path = new PublishPath(broker, stats, Clock.systemUTC(), store, Durability.defaults(),
            new Notifications(new Notifiers(), null, channel -> Duration.ZERO, "Herald"));
    private final PublishRequestParser parser = new PublishRequestParser();
    private final FakeSession session = FakeSession.herald("u");

    PublishPathTest() {
        broker.start(envelope -> hub.deliver(envelope.targets(), envelope.message()));
        hub.add(session);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static PublishRequest toU(String text, boolean persist) {
        return PublishRequest.toUser("u", JsonText.quote(text), text.getBytes(StandardCharsets.UTF_8)).with(persist, null);
    }

    @Test
    void a_fire_and_forget_request_is_answered_by_its_own_publication_before_publish_returns() {
        PublishPath.One call = new PublishPath.One(toU("hi", false));

        CompletableFuture<PushCenter.Published> answer = path.publish(call);

        assertThat(answer).as("no second future").isSameAs(call).isDone();
        assertThat(answer.join().delivered()).isEqualTo(1);
        assertThat(answer.join().stored()).isFalse();
        assertThat(session.frames()).hasSize(1);
        assertThat(store.appends).as("the store is not asked").isZero();
    }

    @Test
    void an_invalid_single_request_fails_alone_with_its_catalogued_error_and_is_not_counted() {
        PublishRequest tooLong = new PublishRequest(List.of("u"), List.of(), false, "1", new byte[] {'1'}, false,
                Duration.ofDays(100_000), null);

        CompletableFuture<PushCenter.Published> answer = path.publish(new PublishPath.One(tooLong));

        assertThatThrownBy(answer::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(HeraldException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
        assertThat(stats.messagesIn.sum()).isZero();
        assertThat(session.frames()).isEmpty();
    }

    @Test
    void a_mixed_batch_goes_out_after_the_commit_in_array_order_with_one_outcome_per_entry() {
        List<PublishRequestParser.Item> items = parser.parseBatch("""
                [{"to":{"users":["u"]},"data":"first","persist":false},
                 {"to":{},"data":"parse-refused"},
                 {"to":{"users":["u"]},"data":"second"},
                 {"to":{"topics":["not a topic"]},"data":"admission-refused"},
                 {"to":{"users":["u"]},"data":"third","persist":false}]""", 10);

        CompletableFuture<List<PushCenter.BatchResult>> answer = path.publish(new PublishPath.Batch(items));

        assertThat(answer).as("a durable entry holds the whole batch until the commit").isNotDone();
        assertThat(session.frames()).as("the transient entries wait for the commit too").isEmpty();
        store.commit();

        List<PushCenter.BatchResult> results = answer.join();
        assertThat(results).hasSize(5);
        assertThat(results.get(0).published().stored()).isFalse();
        assertThat(results.get(1).error()).isNotNull();
        assertThat(results.get(2).published().stored()).isTrue();
        assertThat(results.get(3).error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(results.get(4).published().delivered()).isEqualTo(1);
        assertThat(session.frames()).hasSize(3);
        assertThat(session.frames().get(0)).contains("\"first\"");
        assertThat(session.frames().get(1)).contains("\"second\"");
        assertThat(session.frames().get(2)).contains("\"third\"");
    }

    @Test
    void a_call_whose_durable_requests_were_all_refused_does_not_ask_the_store_and_goes_out_at_once() {
        List<PublishRequestParser.Item> items = parser.parseBatch("""
                [{"to":{"topics":["not a topic"]},"data":"refused"},{"to":{"users":["u"]},"data":"live","persist":false}]""", 10);

        CompletableFuture<List<PushCenter.BatchResult>> answer = path.publish(new PublishPath.Batch(items));

        assertThat(answer).isDone();
        assertThat(answer.join().get(0).error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(answer.join().get(1).published().delivered()).isEqualTo(1);
        assertThat(store.appends).isZero();
    }

    @Test
    void a_failed_commit_fails_the_whole_call_with_store_unavailable_and_publishes_none_of_it() {
        List<PublishRequestParser.Item> items = parser.parseBatch("""
                [{"to":{"users":["u"]},"data":"live","persist":false},{"to":{"users":["u"]},"data":"kept"}]""", 10);

        CompletableFuture<List<PushCenter.BatchResult>> answer = path.publish(new PublishPath.Batch(items));
        store.fail();

        assertThatThrownBy(answer::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(HeraldException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
        assertThat(session.frames()).isEmpty();
        assertThat(stats.storeFailures.sum()).isEqualTo(1);
    }

    /** A memory store whose appends wait for {@link #commit()} (or {@link #fail()}), so a test sees before and after. */
    private static final class HeldStore implements MessageStore {
        private final MemoryMessageStore delegate = new MemoryMessageStore(StoreLimits.defaults());
        private final List<Runnable> held = new ArrayList<>();
        private final List<CompletableFuture<?>> heldFutures = new ArrayList<>();
        int appends;

        @Override
        public <T> CompletableFuture<T> append(List<StoredMessage> messages, Function<List<Appended>, T> committed) {
            appends++;
            CompletableFuture<T> out = new CompletableFuture<>();
            held.add(() -> delegate.append(messages, committed).whenComplete((v, e) -> {
                if (e != null) {
                    out.completeExceptionally(e);
                } else {
                    out.complete(v);
                }
            }));
            heldFutures.add(out);
            return out;
        }

        void commit() {
            held.forEach(Runnable::run);
            held.clear();
            heldFutures.clear();
        }

        void fail() {
            heldFutures.forEach(f -> f.completeExceptionally(new StoreUnavailableException("the disk is gone")));
            held.clear();
            heldFutures.clear();
        }

        @Override public CompletableFuture<Replay> replay(ReplayRequest request, long now) { return delegate.replay(request, now); }
        @Override public CompletableFuture<Integer> updateStatus(List<StatusUpdate> updates) { return delegate.updateStatus(updates); }
        @Override public CompletableFuture<Optional<Receipt>> receipt(String messageId, long now) { return delegate.receipt(messageId, now); }
        @Override public CompletableFuture<Maintenance> maintain(long now) { return delegate.maintain(now); }
        @Override public String describe() { return "held memory store"; }
        @Override public void close() { delegate.close(); }
    }
}
