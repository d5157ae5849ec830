package dev.herald.server.net;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatWheelTest {

    @Test
    void every_connection_is_visited_once_per_interval_and_each_tick_visits_an_even_share() {
        HeartbeatWheel<Integer> wheel = new HeartbeatWheel<>(Duration.ofSeconds(20));
        assertThat(wheel.sliceCount()).isEqualTo(200);
        assertThat(wheel.tickMillis()).isEqualTo(100);
        for (int i = 0; i < 10_000; i++) {
            wheel.add(i);
        }
        Map<Integer, Integer> visits = new HashMap<>();
        List<Integer> perTick = new ArrayList<>();
        for (int tick = 0; tick < wheel.sliceCount(); tick++) {
            int[] n = {0};
            wheel.tick(c -> {
                visits.merge(c, 1, Integer::sum);
                n[0]++;
            });
            perTick.add(n[0]);
        }
        assertThat(visits).hasSize(10_000).allSatisfy((c, count) -> assertThat(count).isEqualTo(1));
        assertThat(perTick).containsOnly(50); // not 10,000 in one tick: the burst this class exists to avoid
    }

    @Test
    void a_removed_connection_is_not_visited_again() {
        HeartbeatWheel<String> wheel = new HeartbeatWheel<>(Duration.ofMillis(200));
        assertThat(wheel.sliceCount()).isEqualTo(2);
        int slice = wheel.add("a");
        wheel.add("b");
        wheel.remove("a", slice);
        List<String> seen = new ArrayList<>();
        for (int tick = 0; tick < 4; tick++) {
            wheel.tick(seen::add);
        }
        assertThat(seen).containsExactly("b", "b");
    }

    @Test
    void an_interval_shorter_than_a_tick_is_one_slice_ticking_at_the_interval() {
        HeartbeatWheel<String> wheel = new HeartbeatWheel<>(Duration.ofMillis(30));
        assertThat(wheel.sliceCount()).isEqualTo(1);
        assertThat(wheel.tickMillis()).isEqualTo(30);
        wheel.add("a");
        List<String> seen = new ArrayList<>();
        wheel.tick(seen::add);
        wheel.tick(seen::add);
        assertThat(seen).containsExactly("a", "a");
    }

    @Test
    void the_wheel_holds_every_connection_added_and_not_removed() {
        // the WebSocket endpoint keeps no other registry of its open connections: size and forEach must see them all
        HeartbeatWheel<String> wheel = new HeartbeatWheel<>(Duration.ofSeconds(1));
        int a = wheel.add("a");
        wheel.add("b");
        wheel.add("c");
        wheel.remove("a", a);

        List<String> all = new ArrayList<>();
        wheel.forEach(all::add);
        assertThat(all).containsExactlyInAnyOrder("b", "c");
        assertThat(wheel.size()).isEqualTo(2);
    }
}
