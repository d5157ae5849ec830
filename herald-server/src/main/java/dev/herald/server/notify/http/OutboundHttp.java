package dev.herald.server.notify.http;

import dev.herald.server.notify.http.OutboundResult.Failure;
import dev.herald.server.notify.http.OutboundResult.Reason;
import dev.herald.server.notify.http.OutboundResult.Response;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrustOptions;

import javax.net.ssl.SSLException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one outbound HTTP client every HTTP channel (webhook, WeCom, DingTalk, Feishu, Slack) shares: a Vert.x
 * {@code HttpClient} with a connection pool per endpoint, guarded against misuse of the server as a proxy.
 *
 * <ul>
 *   <li><b>SSRF</b>: the host is resolved here and every address it resolves to must be allowed by the
 *       {@link AddressPolicy}; the connection then goes to exactly that checked address
 *       ({@link RequestOptions#setServer}) while {@code Host} and TLS SNI/certificate checks still use the
 *       host name.</li>
 *   <li><b>Redirects are not followed</b>: a 3xx comes back as a {@link Response} (a redirect could point
 *       inside the network).</li>
 *   <li><b>Bounded time</b>: a connect timeout, and a total timeout over resolution, connection, request
 *       and the whole response, so a silent endpoint and one that trickles a byte a second both end.</li>
 *   <li><b>Bounded memory</b>: at most {@code maxResponseBytes} of the body are kept; past that the
 *       connection is dropped and the response is marked truncated.</li>
 * </ul>
 *
 * <p>Never blocks the caller; the future completes (never exceptionally) on a Vert.x event loop, so what
 * the caller chains to it must not block. Never logs, and its failure details never contain the URL's path
 * or query (robot tokens live there). Thread-safe.
 */
public final class OutboundHttp implements AutoCloseable {
    /** Time to open a TCP (and TLS) connection; longer than any healthy endpoint needs. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Time for a whole exchange; robots answer in well under a second, a webhook receiver should too. */
    public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofSeconds(10);
    /** Response bytes kept: vendor answers are tiny JSON objects; more is an error page or an attack. */
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
    /** Connections kept per endpoint (address, port, host): bounds what one slow endpoint can hold. */
    static final int MAX_CONNECTIONS_PER_ENDPOINT = 16;

    private final Vertx vertx;
    private final HttpClientAgent client;
    private final Duration connectTimeout;
    private final Duration totalTimeout;
    private final int maxResponseBytes;
    private final Resolver resolver;

    public OutboundHttp(Vertx vertx, Duration connectTimeout, Duration totalTimeout, int maxResponseBytes) {
        this(vertx, connectTimeout, totalTimeout, maxResponseBytes, null, InetAddress::getAllByName);
    }

    /** Turns a host name into addresses; blocking (it runs on a worker). */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /**
     * For tests: {@code trust}, the certificates to trust instead of the JDK's default store (or {@code null});
     * {@code resolver}, what stands in for DNS.
     */
    OutboundHttp(Vertx vertx, Duration connectTimeout, Duration totalTimeout, int maxResponseBytes, TrustOptions trust, Resolver resolver) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || totalTimeout.isNegative() || totalTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxResponseBytes < 1) {
            throw new IllegalArgumentException("maxResponseBytes must be positive");
        }
        this.connectTimeout = connectTimeout;
        this.totalTimeout = totalTimeout;
        this.maxResponseBytes = maxResponseBytes;
        HttpClientOptions options = new HttpClientOptions()
                .setName("herald-notify")
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .setDecompressionSupported(false) // the byte cap then bounds what the endpoint makes us hold
                .setVerifyHost(true)
                .setKeepAlive(true);
        if (trust != null) {
            options.setTrustOptions(trust);
        }
        this.client = vertx.httpClientBuilder().with(options)
                .with(new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS_PER_ENDPOINT)).build();
    }

    /** With the {@code DEFAULT_*} timeouts and cap. */
    public OutboundHttp(Vertx vertx) {
        this(vertx, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES);
    }

    public Duration totalTimeout() {
        return totalTimeout;
    }

    /**
     * POSTs {@code json} to {@code url} with {@code Content-Type: application/json; charset=utf-8} and the
     * given extra headers. {@code url} should have passed {@link AddressPolicy#checkUrl}; its host is
     * resolved and checked against {@code policy} here again.
     */
    public CompletableFuture<OutboundResult> postJson(URI url, Map<String, String> headers, String json, AddressPolicy policy) {
        Exchange exchange = new Exchange();
        long timer = vertx.setTimer(totalTimeout.toMillis(), id -> exchange.finish(
                new Failure(Reason.TIMEOUT, "no complete answer within " + dev.herald.core.message.Durations.format(totalTimeout))));
        exchange.result.whenComplete((r, e) -> vertx.cancelTimer(timer));
        resolve(url.getHost()).onComplete(resolved -> {
            if (exchange.result.isDone()) {
                return; // the total timeout struck during the lookup
            }
            if (resolved.failed()) {
                exchange.finish(resolutionFailure(url.getHost(), resolved.cause()));
                return;
            }
            InetAddress target = null;
            if (resolved.result().length == 0) {
                exchange.finish(new Failure(Reason.UNRESOLVED, "host " + url.getHost() + " does not resolve"));
                return;
            }
            for (InetAddress address : resolved.result()) {
                if (!policy.allows(address)) {
                    exchange.finish(new Failure(Reason.ADDRESS_NOT_ALLOWED, "address not allowed: " + url.getHost()
                            + " resolves to a " + AddressPolicy.kind(address) + " address"));
                    return;
                }
                target = target == null ? address : target;
            }
            try {
                send(exchange, url, target, headers, json);
            } catch (RuntimeException e) { // Vert.x refusing the URL or a header: the request cannot be made as it is
                exchange.finish(new Failure(Reason.BAD_REQUEST, "request not sendable: " + e.getClass().getSimpleName()));
            }
        });
        return exchange.result;
    }

    private Future<InetAddress[]> resolve(String host) {
        if (IpLiterals.isLiteral(host)) {
            try {
                return Future.succeededFuture(new InetAddress[] {IpLiterals.parse(host)});
            } catch (IllegalArgumentException e) {
                return Future.failedFuture(e);
            }
        }
        // The JDK resolver (hosts file, then DNS) blocks: run it on a worker, unordered so lookups overlap.
        return vertx.executeBlocking(() -> resolver.resolve(host), false);
    }

    private static Failure resolutionFailure(String host, Throwable cause) {
        if (cause instanceof IllegalArgumentException) {
            return new Failure(Reason.ADDRESS_NOT_ALLOWED, "address not allowed: " + cause.getMessage());
        }
        return new Failure(Reason.UNRESOLVED, "host " + host + " does not resolve");
    }

    private void send(Exchange exchange, URI url, InetAddress target, Map<String, String> headers, String json) {
        boolean https = url.getScheme().equalsIgnoreCase("https");
        int port = url.getPort() >= 0 ? url.getPort() : https ? 443 : 80;
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(url.toString())
                .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(target, port)))
                .setConnectTimeout(connectTimeout.toMillis())
                .setFollowRedirects(false)
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("User-Agent", "Herald");
        headers.forEach(options::putHeader);
        client.request(options).onComplete(created -> {
            if (created.failed()) {
                exchange.finish(failure(created.cause(), false));
                return;
            }
            HttpClientRequest request = created.result();
            if (!exchange.attach(request)) {
                return; // timed out while connecting: attach() dropped the connection
            }
            request.send(Buffer.buffer(json, "UTF-8")).onComplete(sent -> {
                if (sent.failed()) {
                    exchange.finish(failure(sent.cause(), true));
                } else {
                    read(exchange, sent.result());
                }
            });
        });
    }

    private void read(Exchange exchange, HttpClientResponse response) {
        Buffer body = Buffer.buffer();
        Map<String, String> headers = new HashMap<>();
        response.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        response.exceptionHandler(e -> exchange.finish(failure(e, true)));
        response.handler(chunk -> {
            if (exchange.result.isDone()) {
                return;
            }
            int room = maxResponseBytes - body.length();
            if (chunk.length() <= room) {
                body.appendBuffer(chunk);
                return;
            }
            body.appendBuffer(chunk, 0, room);
            exchange.finish(new Response(response.statusCode(), headers, body.toString(StandardCharsets.UTF_8), true));
        });
        response.endHandler(v -> exchange.finish(
                new Response(response.statusCode(), headers, body.toString(StandardCharsets.UTF_8), false)));
    }

    private static Failure failure(Throwable e, boolean connected) {
        if (e instanceof ConnectTimeoutException) {
            return new Failure(Reason.CONNECT_FAILED, "connect timed out");
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return new Failure(Reason.CONNECT_FAILED, "connection refused");
        }
        if (e instanceof SSLException) {
            return new Failure(Reason.CONNECT_FAILED, "TLS handshake failed");
        }
        if (e instanceof UnknownHostException) {
            return new Failure(Reason.UNRESOLVED, "host does not resolve");
        }
        // Exception messages may quote the request; only the type is reported.
        return new Failure(connected ? Reason.IO_ERROR : Reason.CONNECT_FAILED,
                (connected ? "connection failed: " : "connect failed: ") + e.getClass().getSimpleName());
    }

    /** One request's outcome and the request to drop when the outcome arrives before the answer is done. */
    private static final class Exchange {
        final CompletableFuture<OutboundResult> result = new CompletableFuture<>();
        private final AtomicReference<HttpClientRequest> request = new AtomicReference<>();

        /** Remembers the request; {@code false} (and drops it) when the exchange already ended. */
        boolean attach(HttpClientRequest r) {
            request.set(r);
            if (result.isDone()) {
                drop(r);
                return false;
            }
            return true;
        }

        /**
         * The first outcome wins. An unfinished exchange loses its connection: a reset alone does not close an
         * HTTP/1 connection whose response has begun, and a half-read connection must not go back to the pool.
         */
        void finish(OutboundResult outcome) {
            if (result.complete(outcome) && !(outcome instanceof Response answer && !answer.truncated())) {
                drop(request.get());
            }
        }

        static void drop(HttpClientRequest unfinished) {
            if (unfinished != null) {
                unfinished.reset();
                unfinished.connection().close();
            }
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
