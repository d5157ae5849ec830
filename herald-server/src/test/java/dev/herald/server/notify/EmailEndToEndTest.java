package dev.herald.server.notify;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.herald.server.config.Setting;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The e-mail channel wired from the configuration ({@code email.*}) through the server to a real SMTP
 * server with AUTH (GreenMail): a user's e-mail contact gets the message, titled and with its HTML part,
 * and the receipt shows the delivery.
 */
class EmailEndToEndTest {
    private static final String PASSWORD = "smtp-Pa55word-never-shown";

    private GreenMail smtp;
    private TestServer server;

    @BeforeEach
    void start() {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", "smtp").dynamicPort())
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("alerts@herald.test", "herald", PASSWORD));
        smtp.start();
        server = TestServer.devMode(Map.of(
                Setting.EMAIL_SMTP_HOST, "127.0.0.1",
                Setting.EMAIL_SMTP_PORT, Integer.toString(smtp.getSmtp().getPort()),
                Setting.EMAIL_TLS, "none",
                Setting.EMAIL_USERNAME, "herald",
                Setting.EMAIL_PASSWORD, PASSWORD,
                Setting.EMAIL_FROM, "Herald Alerts <alerts@herald.test>",
                Setting.NOTIFY_POLL_INTERVAL, "50ms"));
    }

    @AfterEach
    void stop() {
        server.close();
        smtp.stop();
    }

    @Test
    void a_users_email_contact_gets_the_message_with_its_title_and_html() throws Exception {
        Http http = server.http();
        Http.Response put = http.send(http.request("/api/v1/users/ann/contacts").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"email\":\"ann@example.com\"}")));
        assertThat(put.status()).as(put.body()).isEqualTo(200);

        Http.Response published = http.postJson("/api/v1/messages", "{\"to\":{\"users\":[\"ann\"]},\"channels\":[\"email\"],"
                + "\"data\":{\"job\":7},\"notification\":{\"title\":\"Export #7 finished\",\"text\":\"Your export is ready.\","
                + "\"html\":\"<p>Your export is <b>ready</b>.</p>\"}}");
        assertThat(published.status()).as(published.body()).isEqualTo(202);
        String id = new JsonObject(published.body()).getString("id");

        assertThat(smtp.waitForIncomingEmail(Duration.ofSeconds(15).toMillis(), 1)).isTrue();
        MimeMessage mail = smtp.getReceivedMessages()[0];
        assertThat(mail.getSubject()).isEqualTo("Export #7 finished");
        assertThat(mail.getFrom()[0].toString()).contains("alerts@herald.test").contains("Herald Alerts");
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("ann@example.com");
        String raw = GreenMailUtil.getWholeMessage(mail);
        assertThat(raw).contains("Your export is ready.").contains("<b>ready</b>").contains("X-Herald-Message-Id: " + id);

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                server.receipt(id).getJsonArray("deliveries").getJsonObject(0).getString("state"), "sent"::equals);
        // the message was for e-mail only: it is not in ann's inbox
        assertThat(server.receipt(id).getJsonObject("to").getJsonArray("users")).isEmpty();
        assertThat(http.get("/api/v1/channels").body()).contains("\"email\"");
    }

    @Test
    void the_smtp_password_never_shows_in_the_configuration_printout() {
        assertThat(server.server().config().describe()).doesNotContain(PASSWORD).contains("email.password = ******** (set)");
    }
}
