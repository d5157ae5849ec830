package dev.herald.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The exact JSON the SDK writes for the notification fields (the server reads it in {@code PublishRequestParser}). */
class NotifyJsonTest {
    @Test
    void channels_fallback_notification_and_targets_are_written_as_the_server_reads_them() {
        Publish p = Publish.toUsers("42")
                .channels("ws", "email")
                .fallback(Duration.ofSeconds(30), "email", "dingtalk")
                .notification(Notification.of("Export finished", "ready").html("<p>ready</p>").markdown("**ready**"))
                .andTarget("webhook", "https://ops.example.com/alerts", "whsec_x")
                .andTargets(Target.robot("slack", "https://hooks.slack.com/services/T0/B0/X", null), Target.webhook("https://b.example.com/", null))
                .andEmail("oncall@example.com")
                .text("done");

        assertThat(Json.message(p)).isEqualTo("{\"to\":{\"users\":[\"42\"],"
                + "\"webhook\":[{\"url\":\"https://ops.example.com/alerts\",\"secret\":\"whsec_x\"},{\"url\":\"https://b.example.com/\"}],"
                + "\"slack\":[{\"url\":\"https://hooks.slack.com/services/T0/B0/X\"}],"
                + "\"email\":[\"oncall@example.com\"]},"
                + "\"data\":\"done\","
                + "\"channels\":[\"ws\",\"email\"],"
                + "\"fallback\":{\"after\":30,\"channels\":[\"email\",\"dingtalk\"]},"
                + "\"notification\":{\"title\":\"Export finished\",\"text\":\"ready\",\"html\":\"<p>ready</p>\",\"markdown\":\"**ready**\"}}");
    }

    @Test
    void plain_messages_carry_no_notification_fields_and_sub_second_fallbacks_use_ms() {
        assertThat(Json.message(Publish.toUsers("1").text("x"))).isEqualTo("{\"to\":{\"users\":[\"1\"]},\"data\":\"x\"}");
        assertThat(Json.message(Publish.toUsers("1").fallback(Duration.ofMillis(1500), "email").text("x")))
                .contains("\"fallback\":{\"after\":\"1500ms\",\"channels\":[\"email\"]}");
        assertThat(Json.message(Publish.toUsers("1").notification("Only a title", null).text("x")))
                .endsWith("\"notification\":{\"title\":\"Only a title\"}}");
    }

    @Test
    void contacts_are_one_destination_per_channel() {
        Contacts c = Contacts.none().email("ann@example.com").webhook("https://crm.example.com/h", "whsec_y")
                .robot("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t", "SECz");

        assertThat(Json.contacts(c)).isEqualTo("{\"email\":\"ann@example.com\","
                + "\"webhook\":{\"url\":\"https://crm.example.com/h\",\"secret\":\"whsec_y\"},"
                + "\"dingtalk\":{\"url\":\"https://oapi.dingtalk.com/robot/send?access_token=t\",\"secret\":\"SECz\"}}");
        assertThat(c.toString()).doesNotContain("whsec_y", "access_token", "SECz")
                .contains("https://oapi.dingtalk.com/…", "ann@example.com");
    }

    @Test
    void invalid_builders_fail_before_any_request() {
        assertThatThrownBy(() -> Notification.of("two\nlines", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Publish.toUsers("1").fallback(Duration.ZERO, "email")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Publish.toUsers("1").fallback(Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Target("users", "x", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeadLetterQuery.all().limit(501)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Target.webhook("https://user:pw@h.example.com:8443/p?q=1", "s").toString())
                .isEqualTo("Target[webhook https://h.example.com:8443/… (secret)]");
    }
}
