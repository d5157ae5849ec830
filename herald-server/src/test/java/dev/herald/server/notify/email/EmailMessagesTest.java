package dev.herald.server.notify.email;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EmailMessagesTest {

    @Test
    void the_subject_is_one_line_without_control_characters() {
        assertThat(EmailMessages.subject("a\r\nb\tc\u0000d")).isEqualTo("a b c d");
        assertThat(EmailMessages.subject(" \r\n ")).isEqualTo(EmailMessages.NO_SUBJECT);
        assertThat(EmailMessages.subject(null)).isEqualTo(EmailMessages.NO_SUBJECT);
    }

    @Test
    void a_long_subject_is_cut_without_splitting_a_character() {
        String cut = EmailMessages.subject("x".repeat(EmailMessages.MAX_SUBJECT - 2) + "😀😀😀");

        assertThat(cut).hasSizeLessThanOrEqualTo(EmailMessages.MAX_SUBJECT).endsWith("…");
        assertThat(cut.codePoints().noneMatch(c -> Character.getType(c) == Character.SURROGATE)).isTrue();
    }

    @Test
    void ids_go_into_headers_as_they_are_only_when_they_are_plain_tokens() {
        assertThat(EmailMessages.token("01JABC.d-1_x")).isEqualTo("01JABC.d-1_x");
        assertThat(EmailMessages.token("a b")).matches("sha256-[0-9a-f]{32}").isEqualTo(EmailMessages.token("a b"));
        assertThat(EmailMessages.token("x>\r\nBcc: y")).startsWith("sha256-");
    }

    @Test
    void the_display_name_is_quoted_or_stripped_so_it_cannot_end_early() {
        assertThat(EmailMessages.fromHeader("a@example.com", null)).isEqualTo("a@example.com");
        assertThat(EmailMessages.fromHeader("a@example.com", "Herald Alerts")).isEqualTo("Herald Alerts <a@example.com>");
        assertThat(EmailMessages.fromHeader("a@example.com", "Herald, Inc.")).isEqualTo("\"Herald, Inc.\" <a@example.com>");
        assertThat(EmailMessages.fromHeader("a@example.com", "Evil <x@evil.test> \"")).isEqualTo("\"Evil x@evil.test\" <a@example.com>");
        assertThat(EmailMessages.fromHeader("a@example.com", "<>\"")).isEqualTo("a@example.com");
    }
}
