package dev.herald.server.notify.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Safe forms of outbound URLs. Robot URLs carry their credential in the query ({@code ?key=},
 * {@code ?access_token=}) or the path (Feishu's {@code /hook/<token>}, Slack's {@code /services/T/B/<secret>}),
 * so neither may reach a log, an error detail or a metric label: only {@code scheme://host[:port]/…} is shown.
 */
public final class RedactedUrl {
    private RedactedUrl() { }

    /** {@code scheme://host[:port]/…}; {@code "(invalid URL)"} when it does not parse. */
    public static String of(String url) {
        try {
            return of(new URI(url));
        } catch (Exception e) {
            return "(invalid URL)";
        }
    }

    public static String of(URI url) {
        if (url.getScheme() == null || url.getHost() == null) {
            return "(invalid URL)";
        }
        return url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getHost()
                + (url.getPort() >= 0 ? ":" + url.getPort() : "") + "/…";
    }

    /**
     * A stable key for one endpoint that tells endpoints apart without revealing them: the redacted URL
     * and the first 12 hex digits of the SHA-256 of the whole URL (for circuit breakers and metrics).
     */
    public static String key(String url) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
            return of(url) + "#" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
