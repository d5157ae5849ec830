package dev.herald.server.pusher;

import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notification;
import dev.herald.server.notify.http.AddressPolicy;
import dev.herald.server.notify.http.HttpDestinations;
import dev.herald.server.notify.http.HttpNotifier;
import dev.herald.server.notify.http.OutboundHttp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code pusher-webhook} channel: POSTs one Pusher webhook body ({@link PusherWebhooks} made it a job) to
 * {@code pusher.webhook-url}, signed as Pusher signs webhooks: {@code X-Pusher-Key} (the app key) and
 * {@code X-Pusher-Signature} (hex HMAC-SHA256 of the body with the app secret), so the Pusher SDKs' webhook
 * verification accepts it. The secret is the configuration's, never stored with the job. Answers mean what they mean
 * for every HTTP channel: 2xx delivered, 408/425/429/5xx and no answer retried, other 4xx permanent; a delivery that
 * keeps failing becomes a dead letter. The URL is the operator's own, so every address is allowed.
 *
 * <p>Not a channel API callers can name: registered with the dispatcher only. Stateless, thread-safe.
 */
public final class PusherWebhookNotifier extends HttpNotifier {
    /** The channel of Pusher webhooks: in dead letters, metrics and {@code notify.*} policies. */
    public static final String CHANNEL = "pusher-webhook";

    private final PusherSignatures signatures;

    public PusherWebhookNotifier(OutboundHttp http, String key, String secret) {
        super(CHANNEL, http, AddressPolicy.anyAddress());
        this.signatures = new PusherSignatures(key, secret);
    }

    @Override
    protected Request request(Notification webhook, Destination destination) {
        String body = webhook.dataJson();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-Pusher-Key", signatures.key());
        headers.put("X-Pusher-Signature", signatures.sign(body));
        return new Request(HttpDestinations.uri(destination), headers, body);
    }
}
