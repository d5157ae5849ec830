package dev.herald.server.config;

import dev.herald.server.notify.email.SmtpSettings;
import dev.herald.server.notify.email.SmtpTls;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The notification channels' settings ({@code notify.*}, {@code email.*}), validated by {@link #from}.
 *
 * @param channels        enabled channels besides ws (email only when {@code smtpHost} is set)
 * @param perChannel      per channel: max attempts and deadline (defaults filled in)
 * @param defaultRetry    {@code notify.max-attempts} and {@code notify.deadline}: the budget of a channel without
 *                        settings of its own (the receipt webhook's)
 * @param email           the SMTP settings, or {@code null} when e-mail is not configured
 * @param lease           how long a claimed delivery is one node's: a node that dies with deliveries under way leaves
 *                        them to another node this long after it claimed them (longer than {@code timeout})
 */
public record NotifyConfig(List<String> channels, String defaultTitle, boolean allowLoopback, boolean allowPrivateNetworks,
                           List<String> allowedNetworks, Duration connectTimeout, Duration timeout,
                           Duration retryInitial, Duration retryMax, int maxInFlight, Duration pollInterval,
                           Map<String, Retry> perChannel, Retry defaultRetry, SmtpSettings email, Duration lease) {
    /** An attempt may run this much past {@code notify.timeout} (closing, recording) before it counts as timed out. */
    public static final Duration ATTEMPT_MARGIN = Duration.ofSeconds(1);

    /** Channels Herald ships; {@code notify.channels} picks among them. */
    public static final List<String> KNOWN_CHANNELS = List.of("webhook", "email", "wecom", "dingtalk", "feishu", "slack");

    /** Retry budget of one channel. */
    public record Retry(int maxAttempts, Duration deadline) { }

    /** The retry budget of {@code channel}: its {@code notify.<channel>.*} settings, else {@link #defaultRetry}. */
    public Retry retry(String channel) {
        return perChannel.getOrDefault(channel, defaultRetry);
    }

    static NotifyConfig from(Map<Setting, String> raw) {
        java.util.function.Function<Setting, String> v = s -> raw.get(s).trim();
        List<String> channels = Units.list(v.apply(Setting.NOTIFY_CHANNELS)).stream().distinct().toList();
        for (String c : channels) {
            if (!KNOWN_CHANNELS.contains(c)) {
                throw new ConfigException("notify.channels: unknown channel '" + c + "' (known: " + String.join(", ", KNOWN_CHANNELS) + ")");
            }
        }
        String title = v.apply(Setting.NOTIFY_DEFAULT_TITLE);
        if (title.isEmpty() || title.length() > 200) {
            throw new ConfigException("notify.default-title: must be 1-200 characters");
        }
        List<String> networks = Units.list(v.apply(Setting.NOTIFY_ALLOWED_NETWORKS));
        for (String n : networks) {
            if (!n.matches("[0-9a-fA-F:.]+/\\d{1,3}")) {
                throw new ConfigException("notify.allowed-networks: '" + n + "' is not a CIDR range like 10.1.2.0/24");
            }
        }
        Duration retryInitial = Units.positiveDuration("notify.retry-initial", v.apply(Setting.NOTIFY_RETRY_INITIAL));
        Duration retryMax = Units.positiveDuration("notify.retry-max", v.apply(Setting.NOTIFY_RETRY_MAX));
        if (retryMax.compareTo(retryInitial) < 0) {
            throw new ConfigException("notify.retry-max: must not be shorter than notify.retry-initial");
        }
        int maxAttempts = Units.integer("notify.max-attempts", v.apply(Setting.NOTIFY_MAX_ATTEMPTS), 1, 100);
        Duration deadline = Units.positiveDuration("notify.deadline", v.apply(Setting.NOTIFY_DEADLINE));
        Map<String, Retry> perChannel = new java.util.LinkedHashMap<>();
        for (String c : KNOWN_CHANNELS) {
            Setting attemptsKey = Setting.byKey("notify." + c + ".max-attempts");
            Setting deadlineKey = Setting.byKey("notify." + c + ".deadline");
            String a = raw.get(attemptsKey).trim();
            String d = raw.get(deadlineKey).trim();
            perChannel.put(c, new Retry(a.isEmpty() ? maxAttempts : Units.integer(attemptsKey.key(), a, 1, 100),
                    d.isEmpty() ? deadline : Units.positiveDuration(deadlineKey.key(), d)));
        }
        SmtpSettings email = null;
        String smtpHost = v.apply(Setting.EMAIL_SMTP_HOST);
        if (!smtpHost.isEmpty()) {
            email = smtp(v, raw, smtpHost);
        }
        Duration timeout = Units.positiveDuration("notify.timeout", v.apply(Setting.NOTIFY_TIMEOUT));
        Duration lease = Units.positiveDuration("notify.lease", v.apply(Setting.NOTIFY_LEASE));
        if (lease.compareTo(timeout.plus(ATTEMPT_MARGIN)) <= 0) {
            throw new ConfigException("notify.lease: must be longer than notify.timeout (" + v.apply(Setting.NOTIFY_TIMEOUT)
                    + ") plus 1s, or a slow attempt still running would be started again by another node");
        }
        return new NotifyConfig(channels, title,
                Units.bool("notify.allow-loopback", v.apply(Setting.NOTIFY_ALLOW_LOOPBACK)),
                Units.bool("notify.allow-private-networks", v.apply(Setting.NOTIFY_ALLOW_PRIVATE_NETWORKS)),
                networks,
                Units.positiveDuration("notify.connect-timeout", v.apply(Setting.NOTIFY_CONNECT_TIMEOUT)),
                timeout,
                retryInitial, retryMax,
                Units.integer("notify.max-in-flight", v.apply(Setting.NOTIFY_MAX_IN_FLIGHT), 1, 10_000),
                Units.positiveDuration("notify.poll-interval", v.apply(Setting.NOTIFY_POLL_INTERVAL)),
                Map.copyOf(perChannel), new Retry(maxAttempts, deadline), email, lease);
    }

    /** The SMTP settings; {@link SmtpSettings} validates them and names the setting in its complaint. */
    private static SmtpSettings smtp(java.util.function.Function<Setting, String> v, Map<Setting, String> raw, String host) {
        try {
            SmtpTls tls;
            try {
                tls = SmtpTls.parse(v.apply(Setting.EMAIL_TLS));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("email.tls: " + e.getMessage());
            }
            String portText = v.apply(Setting.EMAIL_SMTP_PORT);
            int port = portText.isEmpty() ? tls.defaultPort() : Units.integer("email.smtp-port", portText, 1, 65535);
            String from = v.apply(Setting.EMAIL_FROM);
            String fromName = null;
            java.util.regex.Matcher named = java.util.regex.Pattern.compile("^(.*?)\\s*<([^<>]+)>$").matcher(from);
            if (named.matches()) {
                fromName = named.group(1).replaceAll("^\"|\"$", "").strip();
                from = named.group(2).strip();
            }
            if (from.isEmpty()) {
                throw new ConfigException("email.from: required with email.smtp-host, e.g. Herald <noreply@example.com>");
            }
            SmtpSettings settings = SmtpSettings.defaults(host, from).withServer(host, port, tls)
                    .withTimeouts(Units.duration("notify.connect-timeout", v.apply(Setting.NOTIFY_CONNECT_TIMEOUT)),
                            Units.duration("notify.timeout", v.apply(Setting.NOTIFY_TIMEOUT)));
            if (fromName != null && !fromName.isEmpty()) {
                settings = settings.withFromName(fromName);
            }
            String username = v.apply(Setting.EMAIL_USERNAME);
            String password = raw.get(Setting.EMAIL_PASSWORD);
            if (!username.isEmpty() || !password.isEmpty()) {
                settings = settings.withCredentials(username, password);
            }
            String pem = v.apply(Setting.EMAIL_TLS_TRUSTED_CERTIFICATES);
            if (!pem.isEmpty()) {
                if (!java.nio.file.Files.isReadable(Units.path("email.tls-trusted-certificates", pem))) {
                    throw new ConfigException("email.tls-trusted-certificates: file " + pem + " is not readable");
                }
                settings = settings.withTrustedCertificatesPem(pem);
            }
            return settings;
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage()); // SmtpSettings' messages start with the setting's name, never a password
        }
    }

    /** The channels that will actually run: e-mail needs an SMTP host. */
    public List<String> activeChannels() {
        return channels.stream().filter(c -> !c.equals("email") || email != null).toList();
    }

}
