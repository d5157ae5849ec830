package dev.herald.server.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A real HTTP endpoint for webhook tests (the JDK's {@link HttpServer} on a free port): records every
 * request and answers with the statuses it was told to, then 200.
 */
public final class WebhookReceiver implements AutoCloseable {
    /** One request as received; header names lower-cased; {@code receivedNanos} is {@link System#nanoTime()} on arrival. */
    public record Request(String method, String path, Map<String, String> headers, String body, long receivedNanos) {
        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();
    private final Queue<Integer> statuses = new ConcurrentLinkedQueue<>();

    public WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    /** The next requests are answered with these statuses, in order; after them, 200. */
    public WebhookReceiver answer(Integer... next) {
        statuses.addAll(List.of(next));
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/receipts";
    }

    private void handle(HttpExchange exchange) throws IOException {
        long receivedNanos = System.nanoTime();
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(java.util.Locale.ROOT), String.join(",", values)));
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        synchronized (requests) {
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body, receivedNanos));
        }
        Integer status = statuses.poll();
        exchange.sendResponseHeaders(status == null ? 200 : status, -1);
        exchange.close();
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Waits until at least {@code count} requests arrived; returns them all. */
    public List<Request> awaitRequests(int count) {
        Awaitility.await().atMost(WsClient.WAIT).until(() -> requests().size() >= count);
        return requests();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
