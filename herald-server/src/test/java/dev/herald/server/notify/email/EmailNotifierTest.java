package dev.herald.server.notify.email;

import com.icegreen.greenmail.util.GreenMail;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.notify.SendResult;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;


import static dev.herald.server.notify.email.SmtpTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The e-mail channel against a real SMTP server (GreenMail): what arrives, AUTH, validation, headers. */
class EmailNotifierTest extends EmailNotifierHarness {
    private GreenMail greenMail;

    @BeforeEach
    void startGreenMail() {
        greenMail = greenMail("smtp");
    }

    @AfterEach
    void stopGreenMail() {
        greenMail.stop();
    }

    private EmailNotifier notifier(SmtpSettings settings) {
        return track(new EmailNotifier(vertx, settings));
    }

    private int port() {
        return greenMail.getSmtp().getPort();
    }

    @Test
    void plain_text_mail_arrives_with_sender_recipient_subject_and_body() throws Exception {
        EmailNotifier email = notifier(plain(port()).withFromName("Herald Alerts"));

        SendResult result = await(email.send(notification("d-1", "Disk almost full", "Disk /var is at 93%.", null), to("ops@example.com")));

        assertThat(result.outcome()).isEqualTo(SendResult.Outcome.OK);
        assertThat(result.statusCode()).isEqualTo(250);
        MimeMessage mail = greenMail.getReceivedMessages()[0];
        InternetAddress from = (InternetAddress) mail.getFrom()[0];
        assertThat(from.getAddress()).isEqualTo(FROM);
        assertThat(from.getPersonal()).isEqualTo("Herald Alerts");
        assertThat(mail.getRecipients(Message.RecipientType.TO)).extracting(Address::toString).containsExactly("ops@example.com");
        assertThat(mail.getSubject()).isEqualTo("Disk almost full");
        assertThat(mail.getContentType()).startsWith("text/plain");
        assertThat(((String) mail.getContent()).strip()).isEqualTo("Disk /var is at 93%.");
    }

    @Test
    void html_arrives_as_an_alternative_beside_the_text() throws Exception {
        EmailNotifier email = notifier(plain(port()));

        SendResult result = await(email.send(notification("d-2", "Report", "Plain body", "<p>Rich <b>body</b></p>"), to("ops@example.com")));

        assertThat(result.outcome()).isEqualTo(SendResult.Outcome.OK);
        MimeMessage mail = greenMail.getReceivedMessages()[0];
        assertThat(mail.getContentType()).startsWith("multipart/alternative");
        MimeMultipart parts = (MimeMultipart) mail.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(((String) parts.getBodyPart(0).getContent()).strip()).isEqualTo("Plain body");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/html");
        assertThat(((String) parts.getBodyPart(1).getContent()).strip()).isEqualTo("<p>Rich <b>body</b></p>");
    }

    @Test
    void every_attempt_of_a_delivery_carries_the_same_message_id_and_herald_ids() throws Exception {
        EmailNotifier email = notifier(plain(port()));
        var notification = notification("d-retry-7", "Hello", "body", null);

        await(email.send(notification, to("ops@example.com")));
        await(email.send(notification, to("ops@example.com")));
        await(email.send(notification("d-other", "Hello", "body", null), to("ops@example.com")));

        MimeMessage[] mails = greenMail.getReceivedMessages();
        assertThat(mails).hasSize(3);
        assertThat(mails[0].getMessageID()).isEqualTo("<herald.d-retry-7@herald.test>");
        assertThat(mails[1].getMessageID()).isEqualTo(mails[0].getMessageID());
        assertThat(mails[2].getMessageID()).isNotEqualTo(mails[0].getMessageID());
        assertThat(mails[0].getHeader("X-Herald-Message-Id", null)).isEqualTo("01JMSG0000000000000000000A");
        assertThat(mails[0].getHeader("X-Herald-Delivery-Id", null)).isEqualTo("d-retry-7");
        assertThat(mails[0].getHeader("Auto-Submitted", null)).isEqualTo("auto-generated");
    }

    @Test
    void line_breaks_in_the_title_cannot_add_headers_or_recipients() throws Exception {
        EmailNotifier email = notifier(plain(port()));

        SendResult result = await(email.send(notification("d-3", "Alert\r\nBcc: victim@evil.test\r\nX-Injected: yes", "body", null),
                to("ops@example.com")));

        assertThat(result.outcome()).isEqualTo(SendResult.Outcome.OK);
        MimeMessage[] mails = greenMail.getReceivedMessages();
        assertThat(mails).hasSize(1); // no copy for victim@evil.test
        assertThat(mails[0].getSubject()).isEqualTo("Alert Bcc: victim@evil.test X-Injected: yes");
        assertThat(mails[0].getHeader("X-Injected")).isNull();
        assertThat(mails[0].getHeader("Bcc")).isNull();
    }

    @Test
    void an_id_that_is_not_a_plain_token_goes_into_headers_as_a_hash() throws Exception {
        EmailNotifier email = notifier(plain(port()));

        await(email.send(notification("evil>\r\nBcc: x@evil.test", "Hi", "body", null), to("ops@example.com")));

        MimeMessage mail = greenMail.getReceivedMessages()[0];
        assertThat(mail.getMessageID()).matches("<herald\\.sha256-[0-9a-f]{32}@herald\\.test>");
        assertThat(mail.getHeader("Bcc")).isNull();
    }

    @Test
    void authenticated_send_with_the_right_password_is_delivered() throws Exception {
        EmailNotifier email = notifier(plain(port()).withCredentials(SMTP_USER, SMTP_PASSWORD));

        SendResult result = await(email.send(notification("d-4", "Authenticated", "body", null), to("ops@example.com")));

        assertThat(result.outcome()).isEqualTo(SendResult.Outcome.OK);
        assertThat(greenMail.getReceivedMessages()).hasSize(1);
    }

    @Test
    void a_wrong_password_is_permanent_logged_once_and_never_shown() throws Exception {
        String wrongPassword = "wrong-Pa55-" + System.nanoTime();
        SmtpSettings settings = plain(port()).withCredentials(SMTP_USER, wrongPassword);
        EmailNotifier email = notifier(settings);

        SendResult first;
        SendResult second;
        try (var logs = new LogCapture()) {
            first = await(email.send(notification("d-5", "Secret?", "body", null), to("ops@example.com")));
            second = await(email.send(notification("d-6", "Secret?", "body", null), to("ops@example.com")));

            assertThat(logs.lines()).filteredOn(l -> l.startsWith("ERROR") && l.contains("authentication failed")).hasSize(1);
            assertThat(logs.lines()).noneMatch(l -> l.contains(wrongPassword));
        }
        for (SendResult result : new SendResult[]{first, second}) {
            assertThat(result.outcome()).isEqualTo(SendResult.Outcome.PERMANENT);
            assertThat(result.statusCode()).isEqualTo(535);
            assertThat(result.detail()).contains("SMTP authentication failed").contains("check email.username/password")
                    .doesNotContain(wrongPassword);
            assertThat(result.toString()).doesNotContain(wrongPassword);
        }
        assertThat(settings.toString()).doesNotContain(wrongPassword);
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void the_circuit_breaker_key_is_the_smtp_server_not_the_recipient() {
        EmailNotifier email = notifier(plain(port()));

        assertThat(email.endpointKey(to("a@example.com")))
                .isEqualTo(email.endpointKey(to("b@example.org")))
                .isEqualTo("email 127.0.0.1:" + port());
        assertThat(email.channel()).isEqualTo("email");
    }

    @Test
    void validate_normalises_a_good_address() {
        EmailNotifier email = notifier(plain(port()));

        assertThat(email.validate(to("  Jane.Doe+alerts@Example.COM "), "contacts.email").address())
                .isEqualTo("Jane.Doe+alerts@example.com");
        assertThat(email.validate(to("root@localhost"), "contacts.email").address()).isEqualTo("root@localhost");
        assertThat(email.validate(to("info@bücher.example"), "contacts.email").address()).isEqualTo("info@xn--bcher-kva.example");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "no-at-sign", "two@at@example.com", "with space@example.com", "ops@example.com\r\nBcc: x@evil.test",
            "ops@example.com\nBcc: x@evil.test", "tab\t@example.com", "Name <ops@example.com>", "<ops@example.com>", "ops@example.com (Ops)",
            "ops@nodot", "@example.com", "ops@", ".ops@example.com", "ops.@example.com", "o..ps@example.com", "ops@[127.0.0.1]",
            "ops@-bad.example.com", "ops@exa_mple.com", "ops@example..com", "\"quoted\"@example.com", "jürgen@example.com",
            "ops,other@example.com"})
    void validate_refuses_what_is_not_exactly_one_address(String address) {
        EmailNotifier email = notifier(plain(port()));

        assertThatThrownBy(() -> email.validate(to(address), "contacts.email"))
                .isInstanceOfSatisfying(HeraldException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessageStartingWith("contacts.email must be one e-mail address (local@domain): it ");
    }

    @Test
    void validate_refuses_overlong_addresses() {
        EmailNotifier email = notifier(plain(port()));
        String local65 = "a".repeat(65);
        String label = "b".repeat(60);
        String address254 = "a".repeat(64) + "@" + label + "." + label + "." + label + "." + "c".repeat(2) + ".com";

        assertThat(address254).hasSize(254);
        assertThat(email.validate(to(address254), "to.email").address()).isEqualTo(address254);
        assertThatThrownBy(() -> email.validate(to("x" + address254), "to.email")).hasMessageContaining("64 characters");
        assertThatThrownBy(() -> email.validate(to("a".repeat(60) + "@" + label + "." + label + "." + label + "." + "c".repeat(11) + ".com"), "to.email"))
                .hasMessageContaining("254 characters");
        assertThatThrownBy(() -> email.validate(to(local65 + "@example.com"), "to.email")).hasMessageContaining("64 characters");
    }
}
