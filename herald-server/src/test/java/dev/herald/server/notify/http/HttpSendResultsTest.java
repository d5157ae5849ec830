package dev.herald.server.notify.http;

import dev.herald.core.notify.SendResult;
import dev.herald.core.notify.SendResult.Outcome;
import dev.herald.server.notify.http.OutboundResult.Failure;
import dev.herald.server.notify.http.OutboundResult.Reason;
import dev.herald.server.notify.http.OutboundResult.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HttpSendResultsTest {
    private static final URI URL = URI.create("https://hooks.example.com/services/T000/B000/s3cr3tpathtoken?key=querytoken123");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T20:00:00Z"), ZoneOffset.UTC);

    @ParameterizedTest
    @CsvSource({"200,OK", "201,OK", "204,OK", "410,GONE", "408,RETRY", "425,RETRY", "429,RETRY", "500,RETRY", "502,RETRY",
            "503,RETRY", "504,RETRY", "400,PERMANENT", "401,PERMANENT", "403,PERMANENT", "404,PERMANENT", "413,PERMANENT",
            "301,PERMANENT", "302,PERMANENT", "307,PERMANENT", "308,PERMANENT", "100,PERMANENT"})
    void statuses_map_to_outcomes(int status, Outcome outcome) {
        SendResult result = HttpSendResults.of(new Response(status, Map.of(), "", false), URL, CLOCK);
        assertThat(result.outcome()).isEqualTo(outcome);
        assertThat(result.statusCode()).isEqualTo(status);
    }

    @Test
    void retry_after_in_seconds_and_as_http_date() {
        assertThat(HttpSendResults.retryAfter("120", CLOCK)).isEqualTo(Duration.ofSeconds(120));
        assertThat(HttpSendResults.retryAfter(" 0 ", CLOCK)).isEqualTo(Duration.ZERO);
        assertThat(HttpSendResults.retryAfter("Mon, 23 Nov 2026 20:01:30 GMT", CLOCK)).isEqualTo(Duration.ofSeconds(90));
        assertThat(HttpSendResults.retryAfter("Mon, 23 Nov 2026 19:00:00 GMT", CLOCK)).isEqualTo(Duration.ZERO);
        assertThat(HttpSendResults.retryAfter("99999999999999999999999", CLOCK)).isEqualTo(HttpSendResults.MAX_RETRY_AFTER);
        assertThat(HttpSendResults.retryAfter("soon", CLOCK)).isNull();
        assertThat(HttpSendResults.retryAfter(null, CLOCK)).isNull();
    }

    @Test
    void a_429_carries_its_retry_after() {
        SendResult result = HttpSendResults.of(new Response(429, Map.of("retry-after", "7"), "", false), URL, CLOCK);
        assertThat(result.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void failures_without_an_answer_are_retried_but_a_refused_address_or_bad_request_is_permanent() {
        for (Reason reason : Reason.values()) {
            SendResult result = HttpSendResults.of(new Failure(reason, "x"), URL, CLOCK);
            boolean permanent = reason == Reason.ADDRESS_NOT_ALLOWED || reason == Reason.BAD_REQUEST;
            assertThat(result.outcome()).isEqualTo(permanent ? Outcome.PERMANENT : Outcome.RETRY);
            assertThat(result.statusCode()).isZero();
        }
    }

    @Test
    void an_error_page_quoting_the_url_does_not_leak_its_token() {
        String page = "Cannot POST /services/T000/B000/s3cr3tpathtoken?key=querytoken123 (s3cr3tpathtoken)";
        SendResult result = HttpSendResults.of(new Response(404, Map.of(), page, false), URL, CLOCK);
        assertThat(result.detail()).startsWith("HTTP 404: Cannot POST").doesNotContain("s3cr3tpathtoken").doesNotContain("querytoken123");
    }

    @Test
    void redaction_keeps_only_scheme_host_and_port() {
        assertThat(RedactedUrl.of(URL)).isEqualTo("https://hooks.example.com/…");
        assertThat(RedactedUrl.of("http://127.0.0.1:8080/a?b=c")).isEqualTo("http://127.0.0.1:8080/…");
        assertThat(RedactedUrl.key(URL.toString())).startsWith("https://hooks.example.com/…#").doesNotContain("token");
        assertThat(RedactedUrl.key("https://a.example/x?key=1")).isNotEqualTo(RedactedUrl.key("https://a.example/x?key=2"));
    }
}
