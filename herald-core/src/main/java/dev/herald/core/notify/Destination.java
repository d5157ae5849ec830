package dev.herald.core.notify;

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

    @Override
    public String toString() {
        return channel + " " + printableAddress() + (hasSecret() ? " (secret set)" : "");
    }

    /** The address, a URL shortened to {@code scheme://host[:port]/…}; an e-mail address as it is. */
    public String printableAddress() {
        int scheme = address.indexOf("://");
        if (scheme < 0) {
            return address;
        }
        int end = scheme + 3;
        while (end < address.length() && "/?#".indexOf(address.charAt(end)) < 0) {
            end++;
        }
        String authority = address.substring(scheme + 3, end);
        int at = authority.lastIndexOf('@'); // user:password@ never shows
        return address.substring(0, scheme + 3) + authority.substring(at + 1) + "/…";
    }
}
