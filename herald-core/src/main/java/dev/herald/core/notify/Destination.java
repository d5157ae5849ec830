package dev.herald.core.notify;

import java.net.URI;
import java.util.Objects;

/**
 * Where one channel delivers: an address (a URL for webhooks and robots, an e-mail address for e-mail)
 * and, for channels that sign, a secret. {@link #toString} never shows the secret, nor a URL's path and
 * query (robot URLs carry their token there: {@code ?key=}, {@code ?access_token=}, {@code /hook/<token>}):
 * destinations end up in logs and errors.
 *
 * @param channel the channel name ({@link Notifier#channel()})
 * @param address the URL or e-mail address
 * @param secret  the signing secret (webhook, dingtalk, feishu), or {@code null}
 */
public record Destination(String channel, String address, String secret) {
    public Destination {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(address, "address");
    }

    public boolean hasSecret() {
        return secret != null && !secret.isEmpty();
    }

    /**
     * The address as logs, errors and API answers may show it: URLs lose their path and query (robot
     * tokens live there, e.g. {@code ?access_token=…} or {@code /hook/<token>}), keeping scheme, host and port;
     * e-mail addresses are shown as they are.
     */
    public String redactedAddress() {
        return redact(address);
    }

    /** {@link #redactedAddress()} for any address string. */
    public static String redact(String address) {
        if (!address.contains("://")) {
            return address;
        }
        try {
            URI uri = URI.create(address);
            if (uri.getHost() == null) {
                return "(unparseable URL)";
            }
            String hostPort = uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
            boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                    && uri.getRawQuery() == null;
            return uri.getScheme() + "://" + hostPort + (bare ? "/" : "/…");
        } catch (IllegalArgumentException e) {
            return "(unparseable URL)";
        }
    }

    @Override
    public String toString() {
        return channel + " " + redactedAddress() + (hasSecret() ? " (secret set)" : "");
    }
}
