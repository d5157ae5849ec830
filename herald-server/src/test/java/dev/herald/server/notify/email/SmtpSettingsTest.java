package dev.herald.server.notify.email;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SmtpSettingsTest {
    private static final String PASSWORD = "hunter2-Very-Secret";

    @Test
    void defaults_are_starttls_on_587_without_auth() {
        SmtpSettings settings = SmtpSettings.defaults("smtp.example.com", "alerts@example.com");

        assertThat(settings.tls()).isEqualTo(SmtpTls.STARTTLS);
        assertThat(settings.port()).isEqualTo(587);
        assertThat(settings.authenticates()).isFalse();
        assertThat(settings.connectTimeout()).isEqualTo(SmtpSettings.DEFAULT_CONNECT_TIMEOUT);
        assertThat(settings.sendTimeout()).isEqualTo(SmtpSettings.DEFAULT_SEND_TIMEOUT);
        assertThat(settings.poolSize()).isEqualTo(SmtpSettings.DEFAULT_POOL_SIZE);
        assertThat(settings.trustAllCertificatesInsecure()).isFalse();
        assertThat(settings.server()).isEqualTo("smtp.example.com:587");
    }

    @Test
    void to_string_names_the_user_but_never_shows_the_password() {
        SmtpSettings settings = SmtpSettings.defaults("smtp.example.com", "alerts@example.com").withCredentials("mailer", PASSWORD);

        assertThat(settings.toString()).contains("mailer").contains("password=****").doesNotContain(PASSWORD);
        assertThat(settings.password()).isEqualTo(PASSWORD);
    }

    @Test
    void the_sender_address_is_validated_and_normalised() {
        assertThat(SmtpSettings.defaults("smtp.example.com", " Alerts@Example.COM ").fromAddress()).isEqualTo("Alerts@example.com");
        assertThatThrownBy(() -> SmtpSettings.defaults("smtp.example.com", "Herald <alerts@example.com>"))
                .hasMessageStartingWith("email.from: must be one e-mail address");
    }

    @Test
    void bad_values_fail_at_construction_naming_the_setting() {
        SmtpSettings ok = SmtpSettings.defaults("smtp.example.com", "alerts@example.com");

        assertThatThrownBy(() -> SmtpSettings.defaults(" ", "alerts@example.com")).hasMessageStartingWith("email.smtp-host");
        assertThatThrownBy(() -> ok.withServer("smtp.example.com", 0, SmtpTls.STARTTLS)).hasMessageStartingWith("email.smtp-port");
        assertThatThrownBy(() -> ok.withCredentials("mailer", null)).hasMessageContaining("set both");
        assertThatThrownBy(() -> ok.withCredentials(null, PASSWORD)).hasMessageContaining("set both").hasMessageNotContaining(PASSWORD);
        assertThatThrownBy(() -> ok.withFromName("Herald\r\nBcc: x@evil.test")).hasMessageStartingWith("email.from-name");
        assertThatThrownBy(() -> ok.withTimeouts(Duration.ZERO, Duration.ofSeconds(1))).hasMessageStartingWith("email.connect-timeout");
        assertThatThrownBy(() -> ok.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(-1))).hasMessageStartingWith("email.send-timeout");
        assertThatThrownBy(() -> ok.withTrustedCertificatesPem("/etc/ca.pem").withTrustAllCertificatesInsecure())
                .hasMessageContaining("set one, not both");
    }

    @Test
    void tls_modes_parse_from_their_config_values_with_customary_ports() {
        assertThat(SmtpTls.parse("starttls")).isEqualTo(SmtpTls.STARTTLS);
        assertThat(SmtpTls.parse(" STARTTLS-Optional ")).isEqualTo(SmtpTls.STARTTLS_OPTIONAL);
        assertThat(SmtpTls.parse("implicit").defaultPort()).isEqualTo(465);
        assertThat(SmtpTls.parse("none").defaultPort()).isEqualTo(25);
        assertThatThrownBy(() -> SmtpTls.parse("ssl")).hasMessage("'ssl' is not one of starttls, starttls-optional, implicit, none");
    }
}
