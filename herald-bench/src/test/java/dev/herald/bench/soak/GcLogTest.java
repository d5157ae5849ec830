package dev.herald.bench.soak;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GcLogTest {
    @Test
    void the_heap_after_the_last_requested_full_gc_is_what_that_collection_kept() {
        String log = """
                [1.812s][info] GC(0) Pause Full (Metadata GC Threshold) 110M->7M(989M) 36.158ms
                [63.924s][info] GC(8) Pause Full (Diagnostic Command) 304M->37M(989M) 260.833ms
                [64.101s][info] GC(9) Pause Young (Normal) (G1 Evacuation Pause) 88M->45M(989M) 3.101ms
                [133.185s][info] GC(21) Pause Full (Diagnostic Command) 288M->27M(989M) 141.447ms
                [140.002s][info] GC(22) Pause Young (Normal) (G1 Evacuation Pause) 400M->60M(989M) 4.2ms
                """;

        // 27 MB kept, not the 60 MB in use a moment later, nor the Metadata-threshold full GC's 7 MB
        assertThat(GcLog.lastFullGcAfterMb(log)).isEqualTo(27.0);
    }

    @Test
    void kilobytes_and_gigabytes_are_converted_and_a_log_without_one_is_unknown() {
        assertThat(GcLog.lastFullGcAfterMb("GC(3) Pause Full (Diagnostic Command) 2G->1536K(4G) 9ms")).isEqualTo(1.5);
        assertThat(GcLog.lastFullGcAfterMb("GC(3) Pause Full (Diagnostic Command) 3G->2G(4G) 9ms")).isEqualTo(2048.0);
        assertThat(GcLog.lastFullGcAfterMb("GC(1) Pause Young (Normal) 20M->5M(989M) 1ms")).isNaN();
    }
}
