package dev.herald.server.notify.webhook;

import dev.herald.server.notify.http.HmacSha256;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Signs webhook requests the Standard Webhooks way (standardwebhooks.com): the signature is
 * {@code v1,} + base64(HMAC-SHA256(secret, "<webhook-id>.<webhook-timestamp>.<body>")). A secret written
 * {@code whsec_<base64>} is the base64-decoded bytes; any other secret is used as UTF-8 bytes. Used by the
 * {@code webhook} channel and by the receipt webhook ({@code receipts.webhook-secret}). Immutable, thread-safe.
 */
public final class WebhookSignature {
    /** Shorter keys are refused (contacts, targets, {@code receipts.webhook-secret}): 24 bytes resist guessing. */
    public static final int MIN_SECRET_BYTES = 24;

    private final byte[] key;

    public WebhookSignature(String secret) {
        this.key = key(secret);
    }

    /**
     * The HMAC key a secret stands for (configuration validation checks its length).
     *
     * @throws IllegalArgumentException when a {@code whsec_} secret is not base64
     */
    public static byte[] key(String secret) {
        return secret.startsWith("whsec_")
                ? Base64.getDecoder().decode(secret.substring("whsec_".length()))
                : secret.getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code webhook-signature} header value. */
    public String sign(String messageId, long timestampSeconds, String body) {
        return "v1," + HmacSha256.base64(key, (messageId + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
    }
}
