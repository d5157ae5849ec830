package dev.herald.server.notify.http;

import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notification;
import dev.herald.core.notify.Notifier;
import dev.herald.core.notify.SendResult;
import dev.herald.server.notify.http.OutboundResult.Response;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What every HTTP channel (webhook and the robots) shares: destinations checked against the
 * {@link AddressPolicy}, one POST through {@link OutboundHttp}, the answer mapped by {@link HttpSendResults},
 * one circuit breaker per URL. A channel says only how its request looks ({@link #request}) and, for robots
 * that answer 200 with their own error code, what a 2xx answer means ({@link #judge}). Stateless and thread-safe.
 */
public abstract class HttpNotifier implements Notifier {
    private final String channel;
    private final OutboundHttp http;
    /** Which targets may be contacted: checked at validation and on every resolved address at send time. */
    protected final AddressPolicy policy;

    protected HttpNotifier(String channel, OutboundHttp http, AddressPolicy policy) {
        this.channel = channel;
        this.http = http;
        this.policy = policy;
    }

    /** One attempt's POST: the URL (a robot may sign it), headers and the JSON body. */
    public record Request(URI url, Map<String, String> headers, String body) {
        public Request(URI url, String body) {
            this(url, Map.of(), body);
        }
    }

    /**
     * The request for one attempt. May throw on a destination that skipped {@link #validate}: the attempt is
     * then a permanent failure.
     */
    protected abstract Request request(Notification notification, Destination destination);

    /** What a 2xx answer means: delivered, unless the channel's answer carries an error of its own. */
    protected SendResult judge(Response answer, URI url) {
        return SendResult.ok(answer.status());
    }

    @Override
    public final String channel() {
        return channel;
    }

    @Override
    public Destination validate(Destination destination, String path) {
        return HttpDestinations.validate(destination, path, channel, policy);
    }

    @Override
    public final CompletableFuture<SendResult> send(Notification notification, Destination destination) {
        Request request;
        try {
            request = request(notification, destination);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(SendResult.permanent("unusable " + channel + " destination", 0));
        }
        URI url = request.url();
        return http.postJson(url, request.headers(), request.body(), policy)
                .thenApply(result -> HttpSendResults.of(result, url, answer -> judge(answer, url)));
    }

    /** One breaker per URL; the key never shows the URL's path or query (robot tokens live there). */
    @Override
    public final String endpointKey(Destination destination) {
        return channel + " " + RedactedUrl.key(destination.address());
    }
}
