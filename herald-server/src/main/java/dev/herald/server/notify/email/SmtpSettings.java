package dev.herald.server.notify.email;

import java.time.Duration;
import java.util.Objects;

/**
 * The e-mail channel's SMTP server and sender ({@code email.*} settings). Validated on construction, so a
 * bad value fails at start-up rather than on the first mail. {@link #toString} never shows the password.
 *
 * @param host                         SMTP server host name ({@code email.smtp-host})
 * @param port                         SMTP server port ({@code email.smtp-port}; {@link SmtpTls#defaultPort()} when unset)
 * @param tls                          how the connection is protected ({@code email.tls}, default {@link #DEFAULT_TLS})
 * @param username                     AUTH user name ({@code email.username}), or {@code null} for no authentication
 * @param password                     AUTH password ({@code email.password}); set exactly when {@code username} is
 * @param fromAddress                  the sender address, envelope and {@code From:} ({@code email.from})
 * @param fromName                     the sender's display name ({@code email.from-name}), or {@code null}
 * @param connectTimeout               TCP connect timeout ({@code email.connect-timeout})
 * @param sendTimeout                  bound on one whole attempt: connect, TLS, AUTH and the mail transaction
 *                                     ({@code email.send-timeout}); also the idle timeout of a silent connection
 * @param poolSize                     most connections kept open to the server at once ({@code email.pool-size})
 * @param trustedCertificatesPem       a PEM file of the certificates to trust instead of the JVM's default trust
 *                                     store, for a server with a private CA ({@code email.tls-trusted-certificates}),
 *                                     or {@code null}
 * @param trustAllCertificatesInsecure UNSAFE: accept any certificate for any host name
 *                                     ({@code email.tls-trust-all-insecure}). Anyone on the path can then read the
 *                                     password and the mail. For tests against a self-signed server only.
 */
public record SmtpSettings(String host, int port, SmtpTls tls, String username, String password,
                           String fromAddress, String fromName, Duration connectTimeout, Duration sendTimeout,
                           int poolSize, String trustedCertificatesPem, boolean trustAllCertificatesInsecure) {
    /** Refuse to send rather than send in clear or to an unverified server. */
    public static final SmtpTls DEFAULT_TLS = SmtpTls.STARTTLS;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Long enough for a slow but working relay, short enough that a hung one does not hold deliveries back. */
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);
    /** A few parallel SMTP sessions: relays throttle clients that open many. */
    public static final int DEFAULT_POOL_SIZE = 4;

    public SmtpSettings {
        if (host == null || host.isBlank() || host.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("email.smtp-host: a host name is required (no spaces)");
        }
        Objects.requireNonNull(tls, "tls");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("email.smtp-port: must be 1-65535, not " + port);
        }
        username = blankToNull(username);
        password = blankToNull(password);
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("email.username and email.password: set both (SMTP AUTH) or neither");
        }
        if (username != null && username.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("email.username: must not contain control characters");
        }
        try {
            fromAddress = EmailAddresses.normalise(fromAddress);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("email.from: must be one e-mail address (local@domain): it " + e.getMessage());
        }
        fromName = blankToNull(fromName);
        if (fromName != null && fromName.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("email.from-name: must not contain control characters (line breaks)");
        }
        requirePositive(connectTimeout, "email.connect-timeout");
        requirePositive(sendTimeout, "email.send-timeout");
        if (poolSize < 1) {
            throw new IllegalArgumentException("email.pool-size: must be at least 1, not " + poolSize);
        }
        trustedCertificatesPem = blankToNull(trustedCertificatesPem);
        if (trustAllCertificatesInsecure && trustedCertificatesPem != null) {
            throw new IllegalArgumentException("email.tls-trust-all-insecure and email.tls-trusted-certificates: set one, not both");
        }
    }

    /** Settings with every default: STARTTLS on port 587, no AUTH, no display name. */
    public static SmtpSettings defaults(String host, String fromAddress) {
        return new SmtpSettings(host, DEFAULT_TLS.defaultPort(), DEFAULT_TLS, null, null, fromAddress, null,
                DEFAULT_CONNECT_TIMEOUT, DEFAULT_SEND_TIMEOUT, DEFAULT_POOL_SIZE, null, false);
    }

    public SmtpSettings withServer(String host, int port, SmtpTls tls) {
        return new SmtpSettings(host, port, tls, username, password, fromAddress, fromName, connectTimeout,
                sendTimeout, poolSize, trustedCertificatesPem, trustAllCertificatesInsecure);
    }

    public SmtpSettings withCredentials(String username, String password) {
        return new SmtpSettings(host, port, tls, username, password, fromAddress, fromName, connectTimeout,
                sendTimeout, poolSize, trustedCertificatesPem, trustAllCertificatesInsecure);
    }

    public SmtpSettings withFromName(String fromName) {
        return new SmtpSettings(host, port, tls, username, password, fromAddress, fromName, connectTimeout,
                sendTimeout, poolSize, trustedCertificatesPem, trustAllCertificatesInsecure);
    }

    public SmtpSettings withTimeouts(Duration connectTimeout, Duration sendTimeout) {
        return new SmtpSettings(host, port, tls, username, password, fromAddress, fromName, connectTimeout,
                sendTimeout, poolSize, trustedCertificatesPem, trustAllCertificatesInsecure);
    }

    public SmtpSettings withTrustedCertificatesPem(String pemFile) {
        return new SmtpSettings(host, port, tls, username, password, fromAddress, fromName, connectTimeout,
                sendTimeout, poolSize, pemFile, trustAllCertificatesInsecure);
    }

    /** UNSAFE, tests only: see {@link #trustAllCertificatesInsecure()}. */
    public SmtpSettings withTrustAllCertificatesInsecure() {
        return new SmtpSettings(host, port, tls, username, password, fromAddress, fromName, connectTimeout,
                sendTimeout, poolSize, trustedCertificatesPem, true);
    }

    public boolean authenticates() {
        return username != null;
    }

    /** {@code host:port}: the server, as logs and the circuit breaker name it. */
    public String server() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return "SmtpSettings[server=" + server() + ", tls=" + tls.configValue()
                + ", username=" + username + ", password=" + (password == null ? "(none)" : "****")
                + ", from=" + (fromName == null ? "" : fromName + " ") + "<" + fromAddress + ">"
                + ", connectTimeout=" + connectTimeout + ", sendTimeout=" + sendTimeout + ", poolSize=" + poolSize
                + ", trustedCertificatesPem=" + trustedCertificatesPem
                + (trustAllCertificatesInsecure ? ", TRUST-ALL-CERTIFICATES-INSECURE" : "") + "]";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static void requirePositive(Duration d, String setting) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(setting + ": must be a positive duration");
        }
    }
}
