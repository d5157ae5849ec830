package dev.herald.server.notify.email;

import com.icegreen.greenmail.util.GreenMail;
import dev.herald.core.notify.SendResult;
import dev.herald.core.notify.SendResult.Outcome;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.herald.server.notify.email.SmtpTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS: STARTTLS is required by default and never silently skipped, certificates are verified unless the unsafe
 * switch is on, implicit TLS (SMTPS) works. GreenMail 2.1 has no STARTTLS, so STARTTLS is tested against the
 * scripted server with a certificate made for 127.0.0.1; SMTPS against GreenMail's own self-signed certificate.
 */
class EmailTlsTest extends EmailNotifierHarness {
    private static TestCertificate certificate;
    @TempDir
    private static Path dir;

    @BeforeAll
    static void createCertificate() throws Exception {
        certificate = TestCertificate.create(dir);
    }

    private SendResult sendThrough(SmtpSettings settings) throws Exception {
        return send(settings, notification("d-tls", "Over TLS", "body", null));
    }

    private static SmtpSettings starttls(int port) {
        return plain(port).withServer("127.0.0.1", port, SmtpTls.STARTTLS);
    }

    @Test
    void starttls_with_a_trusted_certificate_sends_the_whole_mail_encrypted() throws Exception {
        ScriptedSmtpServer server = track(new ScriptedSmtpServer().offerStartTls(certificate.serverContext()));

        SendResult result = sendThrough(starttls(server.port()).withTrustedCertificatesPem(certificate.pem().toString()));

        assertThat(result.outcome()).isEqualTo(Outcome.OK);
        assertThat(server.commands).contains("STARTTLS");
        List<String> afterStartTls = server.commands.subList(server.commands.indexOf("STARTTLS") + 1, server.commands.size());
        assertThat(afterStartTls).isNotEmpty().allMatch(c -> c.startsWith("[tls] "));
        assertThat(server.received("MAIL FROM")).hasSize(1);
        assertThat(server.mails).hasSize(1);
    }

    @Test
    void starttls_to_a_server_with_an_unverifiable_certificate_fails_before_any_mail_command() throws Exception {
        ScriptedSmtpServer server = track(new ScriptedSmtpServer().offerStartTls(certificate.serverContext()));

        SendResult result = sendThrough(starttls(server.port())); // the JVM's default trust store: the test CA is not in it

        assertThat(result.outcome()).isEqualTo(Outcome.RETRY);
        assertThat(result.detail()).contains("TLS handshake with 127.0.0.1:" + server.port() + " failed");
        assertThat(server.received("MAIL")).isEmpty();
        assertThat(server.mails).isEmpty();
    }

    @Test
    void a_trusted_certificate_for_another_host_name_is_refused() throws Exception {
        TestCertificate elsewhere = TestCertificate.create(dir, "dns:mail.elsewhere.test");
        ScriptedSmtpServer server = track(new ScriptedSmtpServer().offerStartTls(elsewhere.serverContext()));

        SendResult result = sendThrough(starttls(server.port()).withTrustedCertificatesPem(elsewhere.pem().toString()));

        assertThat(result.outcome()).isEqualTo(Outcome.RETRY);
        assertThat(result.detail()).contains("TLS handshake");
        assertThat(server.received("MAIL")).isEmpty();
    }

    @Test
    void starttls_required_but_not_offered_is_refused_not_sent_in_clear() throws Exception {
        ScriptedSmtpServer server = track(new ScriptedSmtpServer()); // no STARTTLS in its EHLO reply

        SendResult result;
        try (var logs = new LogCapture()) {
            result = sendThrough(starttls(server.port()).withCredentials(SMTP_USER, SMTP_PASSWORD));
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("ERROR") && l.contains("does not offer STARTTLS"));
        }

        assertThat(result.outcome()).isEqualTo(Outcome.PERMANENT);
        assertThat(result.detail()).contains("does not offer STARTTLS");
        assertThat(server.received("MAIL")).isEmpty();
        assertThat(server.received("AUTH")).isEmpty();
        assertThat(server.mails).isEmpty();
    }

    @Test
    void starttls_required_against_greenmail_which_does_not_offer_it_delivers_nothing() throws Exception {
        GreenMail greenMail = greenMail("smtp");
        track(greenMail::stop);

        SendResult result = sendThrough(starttls(greenMail.getSmtp().getPort()));

        assertThat(result.outcome()).isEqualTo(Outcome.PERMANENT);
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void starttls_optional_falls_back_to_plain_when_the_server_does_not_offer_it() throws Exception {
        ScriptedSmtpServer server = track(new ScriptedSmtpServer());

        SendResult result = sendThrough(plain(server.port()).withServer("127.0.0.1", server.port(), SmtpTls.STARTTLS_OPTIONAL));

        assertThat(result.outcome()).isEqualTo(Outcome.OK);
        assertThat(server.commands).noneMatch(c -> c.startsWith("[tls]"));
    }

    @Test
    void starttls_optional_still_upgrades_when_offered() throws Exception {
        ScriptedSmtpServer server = track(new ScriptedSmtpServer().offerStartTls(certificate.serverContext()));

        SendResult result = sendThrough(plain(server.port()).withServer("127.0.0.1", server.port(), SmtpTls.STARTTLS_OPTIONAL)
                .withTrustedCertificatesPem(certificate.pem().toString()));

        assertThat(result.outcome()).isEqualTo(Outcome.OK);
        assertThat(server.received("MAIL FROM")).hasSize(1);
        assertThat(server.commands).anyMatch(c -> c.startsWith("[tls] MAIL FROM"));
    }

    @Test
    void implicit_tls_delivers_to_greenmail_smtps_with_authentication() throws Exception {
        GreenMail greenMail = greenMail("smtps");
        track(greenMail::stop);
        int port = greenMail.getSmtps().getPort();

        SendResult result = sendThrough(plain(port).withServer("127.0.0.1", port, SmtpTls.IMPLICIT)
                .withCredentials(SMTP_USER, SMTP_PASSWORD)
                .withTrustAllCertificatesInsecure()); // GreenMail's certificate is self-signed and names no host

        assertThat(result.outcome()).isEqualTo(Outcome.OK);
        assertThat(greenMail.getReceivedMessages()).hasSize(1);
        assertThat(greenMail.getReceivedMessages()[0].getSubject()).isEqualTo("Over TLS");
    }

    @Test
    void implicit_tls_verifies_the_certificate_by_default() throws Exception {
        GreenMail greenMail = greenMail("smtps");
        track(greenMail::stop);
        int port = greenMail.getSmtps().getPort();

        SendResult result = sendThrough(plain(port).withServer("127.0.0.1", port, SmtpTls.IMPLICIT)
                .withCredentials(SMTP_USER, SMTP_PASSWORD));

        assertThat(result.outcome()).isEqualTo(Outcome.RETRY);
        assertThat(result.detail()).contains("TLS handshake").doesNotContain(SMTP_PASSWORD);
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void the_unsafe_trust_all_switch_is_announced_in_the_log() throws Exception {
        try (var logs = new LogCapture()) {
            track(new EmailNotifier(vertx, starttls(2525).withTrustAllCertificatesInsecure()));

            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN") && l.contains("NOT verified"));
        }
    }
}
