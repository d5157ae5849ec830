package dev.herald.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class PayloadsTest {
    private final JsonFactory json = new JsonFactory();

    @Test
    void a_single_message_goes_to_one_user_with_100_bytes_of_data() throws IOException {
        Payloads payloads = new Payloads(10_000, 100, 100, true);

        String body = new String(payloads.single(10_001), StandardCharsets.UTF_8);

        assertThat(body).startsWith("{\"to\":{\"users\":[\"u1\"]},\"data\":\"").doesNotContain("persist");
        assertThat(dataStrings(body)).containsExactly(100);
    }

    @Test
    void a_batch_carries_batch_size_messages_to_consecutive_users_and_can_be_non_durable() throws IOException {
        Payloads payloads = new Payloads(10_000, 100, 100, false);

        String body = new String(payloads.batch(1), StandardCharsets.UTF_8);

        assertThat(body).startsWith("{\"messages\":[{\"to\":{\"users\":[\"u100\"]}").contains("\"u199\"").doesNotContain("\"u200\"");
        assertThat(body.split("\"persist\":false", -1)).hasSize(101);
        assertThat(dataStrings(body)).hasSize(100).allMatch(n -> n == 100);
    }

    @Test
    void scenarios_read_as_written_on_the_command_line() {
        assertThat(Scenario.parseList("single@5000, batch@max")).containsExactly(
                new Scenario(Scenario.Kind.SINGLE, 5000), Scenario.BATCH_MAX);
        assertThat(Scenario.BATCH_MAX.label()).isEqualTo("batch@max");
        assertThat(new Scenario(Scenario.Kind.BATCH, 50_000).messagesPerRequest(100)).isEqualTo(100);
    }

    @Test
    void cpu_ticks_are_read_after_a_command_name_with_spaces_and_parentheses() {
        String stat = "4242 (java (x) y) S 1 2 3 4 5 6 7 8 9 10 150 25 0 0 20 0 40";

        assertThat(ProcCpu.parseTicks(stat, null)).isEqualTo(175);
        assertThat(ProcCpu.parseTicks(stat, "postgres")).isEqualTo(-1);
        assertThat(Report.median(new double[] {5, 1, 3})).isEqualTo(3);
    }

    @Test
    void a_result_line_reads_back_as_written() {
        RunResult r = new RunResult("sqlite", "batch@50000", 2, 50_000, 8, 160_000, 0, "", 1.5, 2, 3, 4, 5, 6.5, 0, 12.5, 0.25, true, 7.5, 1_234);

        RunResult back = RunResult.parseCsv(r.csv(), true, true);

        assertThat(back.csv()).isEqualTo(r.csv());
        assertThat(back.saturated()).isTrue();
    }

    /** Lengths of every "data" string in the body. */
    private java.util.List<Integer> dataStrings(String body) throws IOException {
        java.util.List<Integer> lengths = new java.util.ArrayList<>();
        try (JsonParser p = json.createParser(body)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME && p.currentName().equals("data")) {
                    p.nextToken();
                    lengths.add(p.getText().getBytes(StandardCharsets.UTF_8).length);
                }
            }
        }
        return lengths;
    }
}
