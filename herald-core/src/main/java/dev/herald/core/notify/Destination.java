package dev.herald.core.notify;

import java.util.Objects;

/**
 * Where one channel delivers: an address (a URL for webhooks and robots, an e-mail address for e-mail)
 * and, for channels that sign, a secret. {@link #toString} never shows the secret: destinations end up
 * in logs and errors.
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
        return channel + " " + address + (hasSecret() ? " (secret set)" : "");
    }
}
