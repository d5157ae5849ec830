package dev.herald.server.notify.webhook;

import dev.herald.core.JsonText;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notification;
import dev.herald.server.notify.http.AddressPolicy;
import dev.herald.server.notify.http.HttpDestinations;
import dev.herald.server.notify.http.HttpNotifier;
import dev.herald.server.notify.http.HttpSendResults;
import dev.herald.server.notify.http.OutboundHttp;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

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
public final class WebhookNotifier extends HttpNotifier {
    public static final String CHANNEL = "webhook";

    public WebhookNotifier(OutboundHttp http, AddressPolicy policy) {
        super(CHANNEL, http, policy);
    }

    @Override
    public Destination validate(Destination destination, String path) {
        Destination d = super.validate(destination, path);
        if (d.hasSecret()) {
            int bytes;
            try {
                bytes = WebhookSignature.key(d.secret()).length;
            } catch (IllegalArgumentException e) {
                throw new HeraldException(ErrorCode.INVALID_REQUEST, HttpDestinations.secretPath(path) + ": the part after whsec_ is not base64");
            }
            if (bytes < WebhookSignature.MIN_SECRET_BYTES) {
                throw new HeraldException(ErrorCode.INVALID_REQUEST,
                        HttpDestinations.secretPath(path) + " must be at least " + WebhookSignature.MIN_SECRET_BYTES + " bytes");
            }
        }
        return d;
    }

    @Override
    protected Request request(Notification notification, Destination destination) {
        URI url = HttpDestinations.uri(destination);
        String body = body(notification);
        long timestamp = System.currentTimeMillis() / 1000;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("webhook-id", notification.deliveryId());
        headers.put("webhook-timestamp", Long.toString(timestamp));
        if (destination.hasSecret()) {
            headers.put("webhook-signature", new WebhookSignature(destination.secret()).sign(notification.deliveryId(), timestamp, body));
        }
        return new Request(url, headers, body);
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
