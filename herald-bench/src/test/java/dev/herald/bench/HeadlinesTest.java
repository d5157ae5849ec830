package dev.herald.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HeadlinesTest {
    @TempDir
    Path dir;

    @Test
    void the_header_is_written_once_and_the_ratio_is_herald_over_peer() throws IOException {
        Path csv = dir.resolve("results/headlines.csv");

        Headlines.append(csv, "2026-12-07T11:00Z", "abc123", "run", "2 CPUs, load 0.1",
                List.of(new Headlines.Row("personal sat deliveries per CPU-s vs go", 150_000, 100_000)));
        Headlines.append(csv, "2026-12-07T12:00Z", "abc124", "soak", "quiet",
                List.of(Headlines.Row.alone("RSS MB per hour", -0.25)));

        assertThat(Files.readAllLines(csv)).containsExactly(
                Headlines.HEADER,
                "2026-12-07T11:00Z,abc123,run,personal sat deliveries per CPU-s vs go,150000,100000,1.500,\"2 CPUs, load 0.1\"",
                "2026-12-07T12:00Z,abc124,soak,RSS MB per hour,-0.25,,,quiet");
    }

    @Test
    void script_lines_are_metric_herald_and_an_optional_peer() {
        assertThat(Headlines.parse("bytes per idle connection\t2818")).isEqualTo(Headlines.Row.alone("bytes per idle connection", 2818));
        assertThat(Headlines.parse("p99 ms\t1.5\t3")).isEqualTo(new Headlines.Row("p99 ms", 1.5, 3));
        assertThat(Headlines.parse("p99 ms\t–\t3")).isNull();
        assertThat(Headlines.parse("")).isNull();
    }
}
