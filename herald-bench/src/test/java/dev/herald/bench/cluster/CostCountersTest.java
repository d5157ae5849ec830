package dev.herald.bench.cluster;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The window deltas of bench/run-cluster's cost columns: Redis calls per command, CPU ticks of changing processes, envelopes received. */
class CostCountersTest {

    @Test
    void readsTheCallsOfEachCommandFromInfoCommandstats() {
        String info = "# Commandstats\r\n"
                + "cmdstat_publish:calls=1200,usec=3400,usec_per_call=2.83,rejected_calls=0,failed_calls=0\r\n"
                + "cmdstat_hset:calls=7,usec=20,usec_per_call=2.86,rejected_calls=0,failed_calls=0\r\n";

        assertThat(RedisStats.parseCommandCalls(info)).containsExactly(Map.entry("publish", 1200L), Map.entry("hset", 7L));
    }

    @Test
    void countsCommandsFirstSeenInTheWindowInFull() {
        Map<String, Long> before = Map.of("publish", 1000L);
        Map<String, Long> after = Map.of("publish", 1500L, "set", 2L);

        assertThat(RedisStats.totalDelta(before, after)).isEqualTo(502);
    }

    @Test
    void aProcessThatExitedDoesNotMakeTheSumNegative() {
        Map<Long, Long> before = Map.of(10L, 500L, 11L, 9_000L);   // 11 exits during the window
        Map<Long, Long> after = Map.of(10L, 650L, 12L, 40L);       // 12 starts during it

        assertThat(ClusterLoad.ticksSince(before, after)).isEqualTo(150 + 40);
    }

    @Test
    void readsPsqlsUnalignedLineAndRefusesAnythingElse() {
        assertThat(PgStats.parse("2415919104|1200|37")).isEqualTo(new PgStats.Reading(2_415_919_104L, 1200, 37));
        assertThat(PgStats.parse("psql: error: connection refused").known()).isFalse();
    }

    @Test
    void readsTheEnvelopesANodeReceivedFromItsMetricsPage() {
        String metrics = "# HELP herald_broker_envelopes_total Cluster broker envelopes\n"
                + "herald_broker_envelopes_total{outcome=\"dropped\"} 3.0\n"
                + "herald_broker_envelopes_total{outcome=\"received\"} 12345.0\n";

        assertThat(ClusterLoad.brokerReceived(metrics)).isEqualTo(12_345);
        assertThat(ClusterLoad.brokerReceived("herald_up 1\n")).isEqualTo(-1);
    }
}
