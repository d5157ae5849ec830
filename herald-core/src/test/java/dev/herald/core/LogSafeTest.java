package dev.herald.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogSafeTest {
    @Test
    void a_newline_cannot_start_a_forged_log_line() {
        String forged = "x\n2026-12-07 12:00:00 INFO  dev.herald.Admin - FORGED";

        assertThat(LogSafe.value(forged)).doesNotContain("\n").startsWith("x\\n2026-12-07");
    }

    @Test
    void control_characters_and_unicode_line_breaks_are_escaped() {
        assertThat(LogSafe.value("a\r\tb\u0000c\u001b[31md\u007f\u0085e\u2028f\u2029")).isEqualTo(
                "a\\r\\tb\\u0000c\\u001b[31md\\u007f\\u0085e\\u2028f\\u2029");
    }

    @Test
    void a_backslash_is_doubled_so_an_escape_cannot_be_forged() {
        assertThat(LogSafe.value("a\\nb")).isEqualTo("a\\\\nb");
    }

    @Test
    void plain_values_are_returned_as_they_are() {
        String plain = "user-1 héllo 世界 🎉";

        assertThat(LogSafe.value(plain)).isSameAs(plain);
    }

    @Test
    void long_values_are_cut_with_their_length() {
        String value = LogSafe.value("a".repeat(10_000));

        assertThat(value).startsWith("a".repeat(LogSafe.MAX_LENGTH)).endsWith("…(10000 chars)").hasSize(LogSafe.MAX_LENGTH + 14);
    }

    @Test
    void a_cut_never_splits_a_surrogate_pair() {
        String value = LogSafe.value("a".repeat(LogSafe.MAX_LENGTH - 1) + "🎉🎉");

        assertThat(value).startsWith("a".repeat(LogSafe.MAX_LENGTH - 1) + "…");
    }

    @Test
    void quoted_shows_empty_values_and_escapes_quotes() {
        assertThat(LogSafe.quoted("")).isEqualTo("\"\"");
        assertThat(LogSafe.quoted("a\"b\n")).isEqualTo("\"a\\\"b\\n\"");
        assertThat(LogSafe.quoted(null)).isEqualTo("null");
        assertThat(LogSafe.value(null)).isEqualTo("null");
    }
}
