package dev.herald.bench.soak;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SoakReportTest {
    @Test
    void the_first_soak_line_opens_a_section_at_the_end() {
        String md = SoakReport.withSoakLine("# Results\n\n## Verdict\n\ntext\n", "- run 1");

        assertThat(md).startsWith("# Results\n\n## Verdict\n\ntext\n\n## Soak\n\n").endsWith("\n\n- run 1\n");
    }

    @Test
    void later_lines_go_at_the_end_of_the_soak_section_before_the_next_one() {
        String md = "# R\n\n## Soak\n\nintro\n\n- run 1\n\n## Later\n\nmore\n";

        assertThat(SoakReport.withSoakLine(md, "- run 2")).isEqualTo("# R\n\n## Soak\n\nintro\n\n- run 1\n- run 2\n\n## Later\n\nmore\n");
        assertThat(SoakReport.withSoakLine("# R\n\n## Soak\n\nintro\n\n- run 1\n", "- run 2")).isEqualTo("# R\n\n## Soak\n\nintro\n\n- run 1\n- run 2\n");
    }

    @Test
    void a_slope_within_five_percent_of_the_value_per_hour_is_flat() {
        assertThat(SoakReport.verdict(4.9, 100)).isEqualTo("flat");
        assertThat(SoakReport.verdict(-4.9, 100)).isEqualTo("flat");
        assertThat(SoakReport.verdict(6, 100)).isEqualTo("rising");
        assertThat(SoakReport.verdict(-6, 100)).isEqualTo("falling");
        assertThat(SoakReport.verdict(Double.NaN, 100)).isEqualTo("unknown");
    }
}
