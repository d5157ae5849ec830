package dev.herald.bench.soak;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class SoakTest {
    private static Soak parse(String... args) {
        Soak soak = new Soak();
        new CommandLine(soak).parseArgs(args);
        return soak;
    }

    @Test
    void the_defaults_are_a_valid_30_minute_soak_with_a_5_minute_warm_up() {
        Soak soak = parse();

        assertThat(soak.validate()).isNull();
        assertThat(soak.warmupSeconds()).isEqualTo(300);
    }

    @Test
    void the_smoke_run_of_the_readme_is_valid_and_warms_up_for_a_fifth_of_it() {
        Soak soak = parse("--minutes", "1", "--connections", "500", "--rate", "300");

        assertThat(soak.validate()).isNull();
        assertThat(soak.warmupSeconds()).isEqualTo(12);
    }

    @Test
    void the_ledger_and_slow_consumer_rates_must_fit_in_the_total_rate() {
        assertThat(parse("--rate", "150").validate()).contains("--ledger-rate + --slow-rate");
        assertThat(parse("--rate", "150", "--slow-consumers", "0").validate()).isNull();
    }

    @Test
    void bad_values_are_refused_before_anything_starts() {
        assertThat(parse("--durable-share", "1.5").validate()).contains("--durable-share");
        assertThat(parse("--connections", "0").validate()).isNotNull();
        assertThat(parse("--minutes", "10", "--warmup-minutes", "10").validate()).contains("--warmup-minutes");
    }
}
