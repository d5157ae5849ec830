package dev.herald.server.notify.email;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How the e-mail channel protects its SMTP connection ({@code email.tls}). Every mode that uses TLS
 * verifies the server's certificate and host name unless {@link SmtpSettings#trustAllCertificatesInsecure()}
 * is set.
 */
public enum SmtpTls {
    /** Plain connection, then {@code STARTTLS}; a server that does not offer it is refused (port 587). The default. */
    STARTTLS("starttls", 587),
    /**
     * {@code STARTTLS} when the server offers it, plain text otherwise. Opportunistic: an attacker on the path can
     * strip the offer, so the password and the mail may cross in clear. Only for servers that cannot do better.
     */
    STARTTLS_OPTIONAL("starttls-optional", 587),
    /** TLS from the first byte ("SMTPS", port 465). */
    IMPLICIT("implicit", 465),
    /** No TLS at all: a local relay on the same host or a test server only (port 25). */
    NONE("none", 25);

    private final String configValue;
    private final int defaultPort;

    SmtpTls(String configValue, int defaultPort) {
        this.configValue = configValue;
        this.defaultPort = defaultPort;
    }

    /** The value written in configuration, e.g. {@code starttls-optional}. */
    public String configValue() {
        return configValue;
    }

    /** The customary port of this mode, used when {@code email.smtp-port} is not set. */
    public int defaultPort() {
        return defaultPort;
    }

    /** Reads a configuration value (case-insensitive); throws {@link IllegalArgumentException} listing the valid ones. */
    public static SmtpTls parse(String value) {
        String wanted = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (SmtpTls mode : values()) {
            if (mode.configValue.equals(wanted)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not one of "
                + Arrays.stream(values()).map(SmtpTls::configValue).collect(Collectors.joining(", ")));
    }
}
