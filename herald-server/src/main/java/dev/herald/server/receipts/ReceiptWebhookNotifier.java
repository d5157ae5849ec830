package dev.herald.server.receipts;

import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notification;
import dev.herald.server.notify.http.AddressPolicy;
import dev.herald.server.notify.http.HttpDestinations;
import dev.herald.server.notify.http.HttpNotifier;
import dev.herald.server.notify.http.OutboundHttp;
import dev.herald.server.notify.webhook.WebhookSignature;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code receipt-webhook} channel: POSTs one batch of receipts ({@link ReceiptWebhook} made it a job)
 * to {@code receipts.webhook-url}, signed the Standard Webhooks way with {@code receipts.webhook-secret}:
 * headers {@code webhook-id} (the delivery id: the same on every retry), {@code webhook-timestamp} (seconds,
 * of this attempt) and {@code webhook-signature}. The body is the batch's JSON, stored with the job.
 *
 * <p>The secret is the notifier's, from the configuration, not the job's: it is never copied into the
 * store, and a rotated secret signs the batches still pending. Answers mean what they mean for every HTTP
 * channel ({@code HttpSendResults}): 2xx delivered, 408/425/429/5xx and no answer retried, other 4xx
 * permanent. The URL is the operator's own, so every address is allowed ({@link AddressPolicy#anyAddress()}).
 *
 * <p>Not a channel API callers can name: it is registered with the dispatcher only. Stateless, thread-safe.
 */
public final class ReceiptWebhookNotifier extends HttpNotifier {
    /** The channel of receipt batches: in dead letters, metrics and {@code notify.*} policies. */
    public static final String CHANNEL = "receipt-webhook";

    private final WebhookSignature signature;

    public ReceiptWebhookNotifier(OutboundHttp http, String secret) {
        super(CHANNEL, http, AddressPolicy.anyAddress());
        this.signature = new WebhookSignature(secret);
    }

    @Override
    protected Request request(Notification batch, Destination destination) {
        URI url = HttpDestinations.uri(destination);
        String body = batch.dataJson();
        long timestamp = System.currentTimeMillis() / 1000;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("webhook-id", batch.deliveryId());
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", signature.sign(batch.deliveryId(), timestamp, body));
        return new Request(url, headers, body);
    }
}
