package dev.herald.server.notify.email;

import dev.herald.core.notify.SendResult;
import dev.herald.core.notify.SendResult.Outcome;
import io.vertx.ext.mail.SMTPException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.herald.server.notify.email.SmtpTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How failed SMTP attempts are classified, against servers that fail on purpose: refused, silent, and a scripted
 * server that answers 4xx or 5xx at a chosen step of the dialogue.
 */
class EmailFailuresTest extends EmailNotifierHarness {
    private SendResult sendThrough(SmtpSettings settings) throws Exception {
        return send(settings, notification("d-1", "Subject", "body", null));
    }

    @Test
    void connection_refused_is_retried() throws Exception {
        int port = closedPort();

        SendResult result = sendThrough(plain(port));

        assertThat(result.outcome()).isEqualTo(Outcome.RETRY);
        assertThat(result.statusCode()).isZero();
        assertThat(result.detail()).contains("cannot connect to SMTP server 127.0.0.1:" + port);
    }

    @Test
    void a_server_that_never_answers_is_retried_within_the_send_timeout() throws Exception {
        ScriptedSmtpServer server = track(new ScriptedSmtpServer().silent());
        SmtpSettings settings = plain(server.port()).withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(800));

        long start = System.nanoTime();
        SendResult result = sendThrough(settings);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(result.outcome()).isEqualTo(Outcome.RETRY);
        assertThat(result.detail()).contains("127.0.0.1:" + server.port());
        assertThat(elapsedMs).isBetween(700L, 5_000L);
        // and the hung connection does not stay in the pool: the client hangs up on its own
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(server.clientClosed).hasValue(1));
    }

    @ParameterizedTest(name = "{0} answered with {1} → {2}")
    @CsvSource(delimiter = '|', value = {
            "RCPT | 450 4.2.1 mailbox busy                | RETRY     | 450",
            "RCPT | 451 4.3.0 local error, try again      | RETRY     | 451",
            "RCPT | 452 4.2.2 insufficient storage        | RETRY     | 452",
            "MAIL | 421 4.7.0 too many connections        | RETRY     | 421",
            ".    | 451 4.7.1 greylisted, come back later | RETRY     | 451",
            "RCPT | 550 5.1.1 no such user                | PERMANENT | 550",
            "RCPT | 551 5.1.6 user not local              | PERMANENT | 551",
            "RCPT | 553 5.1.3 bad address syntax          | PERMANENT | 553",
            "MAIL | 553 5.7.1 sender not allowed          | PERMANENT | 553",
            ".    | 554 5.6.0 message refused             | PERMANENT | 554",
    })
    void smtp_replies_map_4xx_to_retry_and_5xx_to_permanent(String step, String reply, Outcome expected, int code) throws Exception {
        ScriptedSmtpServer server = track(new ScriptedSmtpServer().reply(step, reply));

        SendResult result = sendThrough(plain(server.port()));

        assertThat(result.outcome()).isEqualTo(expected);
        assertThat(result.statusCode()).isEqualTo(code);
        assertThat(result.detail()).contains(reply);
        assertThat(server.mails).isEmpty();
    }

    @Test
    void a_421_greeting_is_retried() throws Exception {
        ScriptedSmtpServer server = track(new ScriptedSmtpServer().greeting("421 4.3.2 service shutting down"));

        SendResult result = sendThrough(plain(server.port()));

        assertThat(result.outcome()).isEqualTo(Outcome.RETRY);
        assertThat(result.statusCode()).isEqualTo(421);
    }

    @Test
    void a_250_at_the_end_of_data_is_delivered() throws Exception {
        ScriptedSmtpServer server = track(new ScriptedSmtpServer());

        SendResult result = sendThrough(plain(server.port()));

        assertThat(result).isEqualTo(SendResult.ok(250));
        assertThat(server.received("MAIL FROM")).containsExactly("MAIL FROM:<" + FROM + ">");
        assertThat(server.received("RCPT TO")).containsExactly("RCPT TO:<ops@example.com>");
        assertThat(server.mails).hasSize(1);
    }

    @Test
    void a_server_that_offers_no_auth_fails_instead_of_receiving_the_mail_unauthenticated() throws Exception {
        ScriptedSmtpServer server = track(new ScriptedSmtpServer());

        SendResult result = sendThrough(plain(server.port()).withCredentials(SMTP_USER, SMTP_PASSWORD));

        assertThat(result.outcome()).isEqualTo(Outcome.PERMANENT);
        assertThat(result.detail()).contains("offers no AUTH PLAIN or LOGIN").doesNotContain(SMTP_PASSWORD);
        assertThat(server.received("MAIL")).isEmpty();
    }

    @Test
    void a_reply_echoing_the_password_never_gets_it_into_the_detail() {
        SmtpFailures failures = new SmtpFailures(plain(2525).withCredentials(SMTP_USER, SMTP_PASSWORD));
        Throwable echoed = new SMTPException("recipient address not accepted", 550,
                List.of("550 5.7.1 relay denied for " + SMTP_USER + ":" + SMTP_PASSWORD), false);

        SmtpFailures.Failure failure = failures.classify(echoed);

        assertThat(failure.result().outcome()).isEqualTo(Outcome.PERMANENT);
        assertThat(failure.result().detail()).contains("relay denied for herald:****").doesNotContain(SMTP_PASSWORD);
        assertThat(failure.configurationError()).isFalse();
    }
}
