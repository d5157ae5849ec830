package dev.herald.core.hub;

import dev.herald.core.session.BaseSession;
import dev.herald.core.testing.FakeSession;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The hub tells its observer (the cluster's presence) of each session it takes in, lets go of, or re-subscribes. */
class HubObserverTest {
    private final Hub hub = new Hub(2, new HubStats());
    private final List<String> seen = new ArrayList<>();

    HubObserverTest() {
        hub.observe(new HubObserver() {
            @Override
            public void added(BaseSession session) {
                seen.add("added " + session.id());
            }

            @Override
            public void removed(BaseSession session) {
                seen.add("removed " + session.id());
            }

            @Override
            public void topicsChanged(BaseSession session) {
                seen.add("topics " + session.id() + " " + session.topics());
            }
        });
    }

    @Test
    void added_and_removed_once_each_and_a_refused_session_is_not_reported() {
        FakeSession a = FakeSession.herald("u");
        FakeSession b = FakeSession.herald("u");
        FakeSession refused = FakeSession.herald("u");
        hub.add(a);
        hub.add(b);
        assertThat(hub.add(refused)).isEqualTo(Hub.AddResult.TOO_MANY_CONNECTIONS);
        hub.remove(a);
        hub.remove(a); // idempotent: told once
        hub.remove(refused); // never added: not told

        assertThat(seen).containsExactly("added " + a.id(), "added " + b.id(), "removed " + a.id());
    }

    @Test
    void topic_changes_are_reported_and_a_repeated_subscribe_is_not() {
        FakeSession a = FakeSession.herald("u");
        hub.add(a);
        hub.subscribe(a, "news");
        hub.subscribe(a, "news");
        hub.unsubscribe(a, "news");
        hub.unsubscribe(a, "news");

        assertThat(seen).containsExactly("added " + a.id(), "topics " + a.id() + " [news]", "topics " + a.id() + " []");
    }
}
