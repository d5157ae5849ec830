package dev.herald.client;

import java.util.Objects;
import java.util.Set;

/**
 * A destination of one channel: a webhook or robot URL with an optional signing secret, or an e-mail
 * address. Used as an explicit target of a message ({@link Publish#toTargets}) and as a user's contact
 * ({@link Contacts}). {@link #toString()} never shows the secret, nor the URL's path and query (robot tokens
 * live there).
 *
 * @param channel {@code webhook}, {@code email}, {@code wecom}, {@code dingtalk}, {@code feishu}, {@code slack}…
 * @param address the URL, or the e-mail address
 * @param secret  the signing secret, or {@code null}
 */
public record Target(String channel, String address, String secret) {
    /** Keys of a message's {@code to} that are not channels. */
    private static final Set<String> RESERVED = Set.of("users", "topics", "all", "ws");

    public Target {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(address, "address");
        if (RESERVED.contains(channel)) {
            throw new IllegalArgumentException("'" + channel + "' is not a channel that takes targets");
        }
        if (secret != null && secret.isEmpty()) {
            secret = null;
        }
    }

    /** A webhook, signed the Standard Webhooks way when {@code secret} ({@code whsec_…}) is given. */
    public static Target webhook(String url, String secret) {
        return new Target("webhook", url, secret);
    }

    public static Target email(String address) {
        return new Target("email", address, null);
    }

    /** A robot of {@code wecom}, {@code dingtalk}, {@code feishu} or {@code slack}; {@code secret} may be {@code null}. */
    public static Target robot(String channel, String url, String secret) {
        return new Target(channel, url, secret);
    }

    /** Whether the address is a URL (written as {@code {"url":…}}) rather than an address string. */
    boolean isUrl() {
        return address.contains("://");
    }

    @Override
    public String toString() {
        return "Target[" + channel + " " + redacted() + (secret != null ? " (secret)" : "") + "]";
    }

    /** A URL cut to its scheme and host (no credentials, path or query), as the server shows it. */
    private String redacted() {
        int scheme = address.indexOf("://");
        if (scheme < 0) {
            return address;
        }
        int end = scheme + 3;
        while (end < address.length() && "/?#".indexOf(address.charAt(end)) < 0) {
            end++;
        }
        String authority = address.substring(scheme + 3, end);
        return address.substring(0, scheme + 3) + authority.substring(authority.lastIndexOf('@') + 1) + "/…";
    }
}
