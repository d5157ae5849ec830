package dev.herald.core.hub;

import dev.herald.core.message.Message;
import dev.herald.core.message.Target;
import dev.herald.core.testing.FakeSession;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HubTest {
    private final HubStats stats = new HubStats();
    private final Hub hub = new Hub(3, stats);

    private static Message message(String id, String dataJson, String raw) {
        return new Message(id, 1_700_000_000_000L, dataJson, raw.getBytes(StandardCharsets.UTF_8));
    }

    private static Message hello() {
        return message("01TESTID", "\"hello\"", "hello");
    }

    @Test
    void first_session_of_a_user_is_FIRST_and_the_next_is_ADDED() {
        assertThat(hub.add(FakeSession.herald("u1"))).isEqualTo(Hub.AddResult.FIRST);
        assertThat(hub.add(FakeSession.herald("u1"))).isEqualTo(Hub.AddResult.ADDED);
        assertThat(hub.add(FakeSession.herald("u2"))).isEqualTo(Hub.AddResult.FIRST);

        assertThat(hub.connectionCount()).isEqualTo(3);
        assertThat(hub.userCount()).isEqualTo(2);
        assertThat(hub.sessions("u1")).hasSize(2);
        assertThat(stats.connectionsOpened.sum()).isEqualTo(3);
    }

    @Test
    void a_user_over_the_per_user_cap_is_refused_and_not_registered() {
        for (int i = 0; i < 3; i++) {
            assertThat(hub.add(FakeSession.herald("u1"))).isNotEqualTo(Hub.AddResult.TOO_MANY_CONNECTIONS);
        }
        FakeSession fourth = FakeSession.herald("u1");

        assertThat(hub.add(fourth)).isEqualTo(Hub.AddResult.TOO_MANY_CONNECTIONS);
        assertThat(hub.sessions("u1")).hasSize(3).doesNotContain(fourth);
        assertThat(hub.connectionCount()).isEqualTo(3);
        assertThat(stats.connectionsRejected.sum()).isEqualTo(1);
        assertThat(hub.add(FakeSession.herald("u2"))).isEqualTo(Hub.AddResult.FIRST); // the cap is per user
    }

    @Test
    void removing_a_stale_session_of_the_same_user_keeps_the_newer_one() {
        FakeSession old = FakeSession.herald("u1");
        FakeSession newer = FakeSession.herald("u1");
        hub.add(old);
        hub.add(newer);

        assertThat(hub.remove(old)).isFalse(); // not the last one
        assertThat(hub.remove(old)).isFalse(); // stale: already gone, must not touch newer
        assertThat(hub.sessions("u1")).containsExactly(newer);
        assertThat(hub.connectionCount()).isEqualTo(1);
        assertThat(hub.userCount()).isEqualTo(1);

        hub.deliver(List.of(new Target.User("u1")), hello());
        assertThat(newer.frames()).hasSize(1);
    }

    @Test
    void a_session_that_was_never_added_does_not_remove_the_registered_one_with_the_same_user() {
        FakeSession registered = FakeSession.herald("u1");
        hub.add(registered);

        assertThat(hub.remove(FakeSession.herald("u1"))).isFalse();
        assertThat(hub.sessions("u1")).containsExactly(registered);
        assertThat(hub.connectionCount()).isEqualTo(1);
    }

    @Test
    void remove_reports_the_last_session_once_and_is_idempotent() {
        FakeSession a = FakeSession.herald("u1");
        FakeSession b = FakeSession.herald("u1");
        hub.add(a);
        hub.add(b);

        assertThat(hub.remove(a)).isFalse();
        assertThat(hub.remove(b)).isTrue();
        assertThat(hub.remove(b)).isFalse();
        assertThat(hub.remove(a)).isFalse();
        assertThat(hub.connectionCount()).isZero();
        assertThat(hub.userCount()).isZero();
        assertThat(hub.sessions("u1")).isEmpty();
    }

    @Test
    void removing_an_unbound_session_is_a_no_op() {
        hub.add(FakeSession.herald("u1"));

        assertThat(hub.remove(new FakeSession())).isFalse();
        assertThat(hub.connectionCount()).isEqualTo(1);
    }

    @Test
    void subscribe_and_unsubscribe_track_topics_and_counts() {
        FakeSession a = FakeSession.herald("u1");
        FakeSession b = FakeSession.herald("u2");
        hub.add(a);
        hub.add(b);

        assertThat(hub.subscribe(a, "news")).isTrue();
        assertThat(hub.subscribe(a, "news")).isFalse(); // already following
        assertThat(hub.subscribe(b, "news")).isTrue();
        assertThat(hub.subscribe(b, "sports")).isTrue();
        assertThat(hub.topicCount()).isEqualTo(2);
        assertThat(a.topicsView()).containsExactly("news");

        assertThat(hub.unsubscribe(b, "sports")).isTrue();
        assertThat(hub.unsubscribe(b, "sports")).isFalse();
        assertThat(hub.topicCount()).isEqualTo(1);

        hub.unsubscribe(a, "news");
        assertThat(hub.topicCount()).isEqualTo(1); // b still follows news
        hub.unsubscribe(b, "news");
        assertThat(hub.topicCount()).isZero();
    }

    @Test
    void removing_a_session_drops_its_topic_subscriptions() {
        FakeSession a = FakeSession.herald("u1");
        hub.add(a);
        hub.subscribe(a, "news");
        hub.subscribe(a, "sports");

        hub.remove(a);

        assertThat(hub.topicCount()).isZero();
        assertThat(a.topicsView()).isEmpty();
        assertThat(hub.deliver(List.of(new Target.Topic("news")), hello())).isZero();
    }

    @Test
    void a_closed_session_cannot_subscribe() {
        FakeSession a = FakeSession.herald("u1");
        hub.add(a);
        a.close(dev.herald.core.session.CloseReason.KICKED);

        assertThat(hub.subscribe(a, "news")).isFalse();
        assertThat(hub.topicCount()).isZero();
    }

    @Test
    void deliver_to_a_user_reaches_all_of_its_sessions_and_nobody_else() {
        FakeSession a1 = FakeSession.herald("alice");
        FakeSession a2 = FakeSession.herald("alice");
        FakeSession bob = FakeSession.herald("bob");
        hub.add(a1);
        hub.add(a2);
        hub.add(bob);

        int delivered = hub.deliver(List.of(new Target.User("alice")), hello());

        assertThat(delivered).isEqualTo(2);
        assertThat(a1.frames()).hasSize(1);
        assertThat(a2.frames()).hasSize(1);
        assertThat(bob.frames()).isEmpty();
        assertThat(stats.messagesOut.sum()).isEqualTo(2);
    }

    @Test
    void deliver_to_an_offline_user_reaches_nobody() {
        assertThat(hub.deliver(List.of(new Target.User("ghost")), hello())).isZero();
    }

    @Test
    void deliver_to_a_topic_reaches_followers_only_with_the_topic_in_the_envelope() {
        FakeSession follower = FakeSession.herald("u1");
        FakeSession other = FakeSession.herald("u2");
        hub.add(follower);
        hub.add(other);
        hub.subscribe(follower, "news");

        int delivered = hub.deliver(List.of(new Target.Topic("news")), message("01ID", "{\"x\":1}", "{\"x\":1}"));

        assertThat(delivered).isEqualTo(1);
        assertThat(follower.frames()).containsExactly(
                "{\"type\":\"message\",\"id\":\"01ID\",\"ts\":1700000000000,\"topic\":\"news\",\"data\":{\"x\":1}}");
        assertThat(other.frames()).isEmpty();
    }

    @Test
    void deliver_to_everyone_reaches_every_session_once() {
        FakeSession a = FakeSession.herald("u1");
        FakeSession b = FakeSession.herald("u1");
        FakeSession c = FakeSession.seed("u2");
        hub.add(a);
        hub.add(b);
        hub.add(c);

        assertThat(hub.deliver(List.of(Target.Everyone.INSTANCE), hello())).isEqualTo(3);
        assertThat(a.frames()).hasSize(1);
        assertThat(b.frames()).hasSize(1);
        assertThat(c.frames()).containsExactly("hello");
    }

    @Test
    void a_session_targeted_as_user_and_as_topic_follower_gets_the_message_once() {
        FakeSession a = FakeSession.herald("u1");
        FakeSession b = FakeSession.herald("u2");
        hub.add(a);
        hub.add(b);
        hub.subscribe(a, "news");
        hub.subscribe(b, "news");

        int delivered = hub.deliver(List.of(new Target.User("u1"), new Target.Topic("news"), new Target.User("u1")), hello());

        assertThat(delivered).isEqualTo(2);
        assertThat(a.frames()).hasSize(1);
        assertThat(b.frames()).hasSize(1);
    }

    @Test
    void seed_sessions_get_the_raw_body_and_herald_sessions_get_the_envelope() {
        FakeSession seed = FakeSession.seed("u1");
        FakeSession herald = FakeSession.herald("u1");
        hub.add(seed);
        hub.add(herald);

        hub.deliver(List.of(new Target.User("u1")), message("01ABC", "\"Hello World\"", "Hello World"));

        assertThat(seed.frames()).containsExactly("Hello World");
        assertThat(herald.frames()).containsExactly(
                "{\"type\":\"message\",\"id\":\"01ABC\",\"ts\":1700000000000,\"data\":\"Hello World\"}");
    }

    @Test
    void a_session_that_refuses_is_counted_as_dropped_and_not_as_delivered() {
        FakeSession ok = FakeSession.herald("u1");
        FakeSession full = FakeSession.herald("u1").refuseSends();
        hub.add(ok);
        hub.add(full);

        int delivered = hub.deliver(List.of(new Target.User("u1")), hello());

        assertThat(delivered).isEqualTo(1);
        assertThat(stats.dropped.sum()).isEqualTo(1);
        assertThat(stats.messagesOut.sum()).isEqualTo(1);
        assertThat(ok.frames()).hasSize(1);
        assertThat(full.frames()).isEmpty();
    }

    @Test
    void snapshot_and_forEach_see_every_registered_session() {
        FakeSession a = FakeSession.herald("u1");
        FakeSession b = FakeSession.herald("u2");
        hub.add(a);
        hub.add(b);

        assertThat(hub.snapshot()).containsExactlyInAnyOrder(a, b);
        List<Object> visited = new java.util.ArrayList<>();
        hub.forEach(visited::add);
        assertThat(visited).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void shard_count_must_be_a_power_of_two() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> new Hub(3, 4, stats));
    }
}
