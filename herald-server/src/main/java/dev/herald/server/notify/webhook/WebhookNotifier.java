package dev.herald.server.notify.webhook;

import dev.herald.core.JsonText;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notification;
import dev.herald.core.notify.Notifier;
import dev.herald.core.notify.SendResult;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.notify.http.AddressPolicy;
import dev.herald.server.notify.http.HttpDestinations;
import dev.herald.server.notify.http.HttpSendResults;
import dev.herald.server.notify.http.OutboundHttp;
import dev.herald.server.notify.http.RedactedUrl;
import dev.herald.server.receipts.WebhookSignature;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code webhook} channel: POSTs the notification as JSON to the business system's URL, the Standard
 * Webhooks way (standardwebhooks.com), like Herald's receipt webhook:
 *
 * <pre>{"type":"notification","id":"&lt;delivery id&gt;","messageId":"…","user":"…"|null,"timestamp":&lt;ms&gt;,
 *  "title":"…","text":"…","data":&lt;the message's data, verbatim&gt;}</pre>
 *
 * with headers {@code webhook-id} (the delivery id: the same on every retry, so the receiver de-duplicates),
 * {@code webhook-timestamp} (seconds, of this attempt) and, when the destination has a secret,
 * {@code webhook-signature} ({@code v1,<base64 HMAC-SHA256>} of {@code id.timestamp.body}, see
 * {@link WebhookSignature}). Without a secret the request is unsigned: the receiver can only trust the
 * URL's own secrecy, which is its owner's choice.
 *
 * <p>Answers: 2xx delivered, 410 gone, 408/425/429/5xx retried, other statuses and redirects permanent
 * ({@link HttpSendResults}). Stateless and thread-safe.
 */
public final class WebhookNotifier implements Notifier {
    public static final String CHANNEL = "webhook";

    private final OutboundHttp http;
    private final AddressPolicy policy;

    public WebhookNotifier(OutboundHttp http, AddressPolicy policy) {
        this.http = http;
        this.policy = policy;
    }

    @Override
    public String channel() {
        return CHANNEL;
    }

    /** A valid http(s) URL the address policy allows; a secret, when given, of at least 24 bytes. */
    @Override
    public Destination validate(Destination destination, String path) {
        Destination d = HttpDestinations.validate(destination, path, CHANNEL, policy);
        if (d.hasSecret()) {
            int bytes;
            try {
                bytes = WebhookSignature.key(d.secret()).length;
            } catch (IllegalArgumentException e) {
                throw new HeraldException(ErrorCode.INVALID_REQUEST, path + ": the secret's part after whsec_ is not base64");
            }
            if (bytes < HeraldConfig.MIN_WEBHOOK_SECRET_BYTES) {
                throw new HeraldException(ErrorCode.INVALID_REQUEST,
                        path + ": the secret must be at least " + HeraldConfig.MIN_WEBHOOK_SECRET_BYTES + " bytes");
            }
        }
        return d;
    }

    @Override
    public CompletableFuture<SendResult> send(Notification notification, Destination destination) {
        URI url;
        String body;
        Map<String, String> headers = new LinkedHashMap<>();
        try {
            url = HttpDestinations.uri(destination);
            body = body(notification);
            long timestamp = System.currentTimeMillis() / 1000;
            headers.put("webhook-id", notification.deliveryId());
            headers.put("webhook-timestamp", Long.toString(timestamp));
            if (destination.hasSecret()) {
                headers.put("webhook-signature", new WebhookSignature(destination.secret()).sign(notification.deliveryId(), timestamp, body));
            }
        } catch (RuntimeException e) { // a destination that skipped validate()
            return CompletableFuture.completedFuture(SendResult.permanent("unusable webhook destination", 0));
        }
        return http.postJson(url, headers, body, policy).thenApply(result -> HttpSendResults.of(result, url));
    }

    /** One breaker per URL, keyed without revealing it (URLs may carry a token). */
    @Override
    public String endpointKey(Destination destination) {
        return CHANNEL + " " + RedactedUrl.key(destination.address());
    }

    static String body(Notification n) {
        return "{\"type\":\"notification\",\"id\":" + JsonText.quote(n.deliveryId())
                + ",\"messageId\":" + JsonText.quote(n.messageId())
                + ",\"user\":" + (n.userId() == null ? "null" : JsonText.quote(n.userId()))
                + ",\"timestamp\":" + n.timestamp()
                + ",\"title\":" + JsonText.quote(n.title())
                + ",\"text\":" + JsonText.quote(n.text())
                + ",\"data\":" + (n.dataJson() == null || n.dataJson().isBlank() ? "null" : n.dataJson())
                + "}";
    }
}
