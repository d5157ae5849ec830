package dev.herald.core.session;

import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.testing.FakeSession;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/** The topic set of a session is made on its first subscription, not per connection (issue 14: idle memory). */
class BaseSessionTopicsTest {
    private final Hub hub = new Hub(3, new HubStats());

    @Test
    void a_session_that_never_subscribed_holds_no_topic_set() {
        FakeSession session = FakeSession.herald("u1");
        hub.add(session);

        assertThat(session.topics()).isSameAs(Collections.emptySet());
        assertThat(session.topicsView()).isEmpty();
        assertThat(hub.unsubscribe(session, "news")).isFalse();
        assertThat(session.topics()).isSameAs(Collections.emptySet());
    }

    @Test
    void the_first_subscription_makes_the_set_and_later_ones_use_it() {
        FakeSession session = FakeSession.herald("u1");
        hub.add(session);

        assertThat(hub.subscribe(session, "news")).isTrue();
        Set<String> made = session.topics();
        assertThat(hub.subscribe(session, "sports")).isTrue();
        assertThat(session.topics()).isSameAs(made).containsExactlyInAnyOrder("news", "sports");
        assertThat(hub.unsubscribe(session, "news")).isTrue();
        assertThat(session.topicsView()).containsExactly("sports");
    }

    @Test
    void concurrent_first_subscriptions_share_one_set() throws Exception {
        for (int round = 0; round < 200; round++) {
            FakeSession session = FakeSession.herald("u" + round);
            hub.add(session);
            CountDownLatch start = new CountDownLatch(1);
            CompletableFuture<Void> a = CompletableFuture.runAsync(() -> { await(start); hub.subscribe(session, "a"); });
            CompletableFuture<Void> b = CompletableFuture.runAsync(() -> { await(start); hub.subscribe(session, "b"); });
            start.countDown();
            CompletableFuture.allOf(a, b).get();
            assertThat(session.topics()).containsExactlyInAnyOrder("a", "b");
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
