package dev.herald.core;

import dev.herald.core.broker.MemoryBroker;
import dev.herald.core.delivery.Durability;
import dev.herald.core.delivery.RecipientStore;
import dev.herald.core.delivery.ReceiptListener;
import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.store.MemoryMessageStore;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.testing.FakeSession;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Durable messages reach connections in id order (commit order), however many publishers race. */
class PushCenterOrderTest {
    private static final int THREADS = 4;
    private static final int PER_THREAD = 500;

    private final HubStats stats = new HubStats();
    private final Hub hub = new Hub(16, stats);
    private final MemoryMessageStore store = new MemoryMessageStore(StoreLimits.defaults());
    private final RecipientStore recipientStore = new RecipientStore(store, Clock.systemUTC(), stats, ReceiptListener.NONE, 10_000);
    private final MemoryBroker broker = new MemoryBroker();
    private final PushCenter center = new PushCenter(hub, broker, stats, Clock.systemUTC(), "n", "test", store, recipientStore,
            Durability.defaults());
    private final ExecutorService threads = Executors.newFixedThreadPool(THREADS);

    PushCenterOrderTest() {
        broker.start(envelope -> hub.deliver(envelope.targets(), envelope.message()));
    }

    @AfterEach
    void stop() {
        threads.shutdownNow();
        store.close();
    }

    private static List<String> ids(FakeSession session) {
        return session.frames().stream().map(f -> f.substring(24, 50)).toList();
    }

    @Test
    void concurrent_publishers_reach_a_connection_in_position_order_each_message_once() throws Exception {
        FakeSession session = FakeSession.herald("u");
        hub.add(session);
        ConcurrentLinkedQueue<String> published = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            all.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < PER_THREAD; i++) {
                    published.add(center.publishJson("{\"to\":{\"users\":[\"u\"]},\"data\":" + i + "}", null).join().id());
                }
            }, threads));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> session.frames().size() == THREADS * PER_THREAD);
        // ids are taken before the commit, so they need not be in order; positions are, with no gap and no repeat
        assertThat(ids(session)).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(published);
        List<Long> positions = session.frames().stream()
                .map(f -> Long.parseLong(f.substring(f.indexOf("\"pos\":") + 6, f.indexOf(",\"epoch\"")))).toList();
        assertThat(positions).isEqualTo(java.util.stream.LongStream.rangeClosed(1, THREADS * PER_THREAD).boxed().toList());
    }

    @Test
    void a_batch_is_delivered_in_array_order() throws Exception {
        FakeSession session = FakeSession.herald("u");
        hub.add(session);

        List<PushCenter.BatchResult> results = center.publishBatchJson("["
                + "{\"to\":{\"users\":[\"u\"]},\"data\":\"first\"},"
                + "{\"to\":{\"users\":[\"u\"]},\"data\":\"second\",\"persist\":false},"
                + "{\"to\":{\"users\":[\"u\"]},\"data\":\"third\"}]", 10).get(10, TimeUnit.SECONDS);

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> session.frames().size() == 3);
        assertThat(session.frames()).extracting(f -> f.substring(f.indexOf("\"data\":")))
                .containsExactly("\"data\":\"first\"}", "\"data\":\"second\"}", "\"data\":\"third\"}");
        assertThat(ids(session)).containsExactly(results.get(0).published().id(), results.get(1).published().id(),
                results.get(2).published().id());
    }
}
