package dev.herald.server.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import org.awaitility.Awaitility;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * A real HTTP endpoint on a free loopback port (a Vert.x server, so a silent or trickling reply holds no
 * thread) that records every request and answers as scripted: a status with headers and body, silence,
 * an endless trickle of bytes, an oversized body. Unscripted requests get the default answer, which may
 * depend on the request (a vendor stand-in checking a signature).
 */
public final class ScriptedReceiver implements AutoCloseable {
    /** One request as received; header names lower-cased. {@code uri} is the path with its query. */
    public record Request(String method, String uri, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** How to answer one request. */
    public sealed interface Reply {
        record Answer(int status, Map<String, String> headers, String body) implements Reply {
            public Answer header(String name, String value) {
                Map<String, String> h = new LinkedHashMap<>(headers);
                h.put(name, value);
                return new Answer(status, h, body);
            }
        }

        /** Reads the request, then never answers. */
        record Silence() implements Reply { }

        /** Sends 200 headers, then one byte every {@code everyMs} forever. */
        record Trickle(long everyMs) implements Reply { }

        /** A 200 whose body is {@code bytes} long. */
        record Oversized(int bytes) implements Reply { }

        static Answer status(int status) {
            return new Answer(status, Map.of(), "");
        }

        static Answer status(int status, String body) {
            return new Answer(status, Map.of(), body);
        }
    }

    public static Reply.Answer answer(int status) {
        return Reply.status(status);
    }

    public static Reply.Answer answer(int status, String body) {
        return Reply.status(status, body);
    }

    public static Reply silence() {
        return new Reply.Silence();
    }

    public static Reply trickle() {
        return new Reply.Trickle(50);
    }

    public static Reply oversized(int bytes) {
        return new Reply.Oversized(bytes);
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();
    private final Queue<Reply> script = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Function<Request, Reply> byDefault = request -> Reply.status(200);

    public ScriptedReceiver(Vertx vertx) {
        this.vertx = vertx;
        this.server = vertx.createHttpServer().requestHandler(this::handle).connectionHandler(connection -> {
            opened.incrementAndGet();
            connection.closeHandler(v -> closed.incrementAndGet());
        });
        server.listen(0, "127.0.0.1").await();
    }

    /** The next requests are answered with these replies, in order; after them, the default answer. */
    public ScriptedReceiver then(Reply... next) {
        script.addAll(List.of(next));
        return this;
    }

    /** The answer to unscripted requests (initially 200 with an empty body). */
    public ScriptedReceiver byDefault(Function<Request, Reply> answer) {
        this.byDefault = answer;
        return this;
    }

    public int port() {
        return server.actualPort();
    }

    /** {@code http://127.0.0.1:<port><pathAndQuery>}. */
    public String url(String pathAndQuery) {
        return "http://127.0.0.1:" + port() + pathAndQuery;
    }

    private void handle(HttpServerRequest http) {
        http.body().onSuccess(body -> {
            Map<String, String> headers = new TreeMap<>();
            http.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
            Request request = new Request(http.method().name(), http.uri(), headers, body.toString());
            synchronized (requests) {
                requests.add(request);
            }
            Reply reply = script.poll();
            reply(http, reply == null ? byDefault.apply(request) : reply);
        });
    }

    private void reply(HttpServerRequest http, Reply reply) {
        switch (reply) {
            case Reply.Answer a -> {
                a.headers().forEach(http.response()::putHeader);
                http.response().setStatusCode(a.status()).end(a.body());
            }
            case Reply.Silence s -> { }
            case Reply.Trickle t -> {
                http.response().setChunked(true).setStatusCode(200).write("{");
                long timer = vertx.setPeriodic(t.everyMs(), id -> http.response().write(" "));
                http.response().closeHandler(v -> vertx.cancelTimer(timer)); // the connection's own close handler counts closes
            }
            case Reply.Oversized o -> http.response().setStatusCode(200).end(Buffer.buffer("x".repeat(o.bytes())));
        }
    }

    /** Connections accepted so far. */
    public int connectionsOpened() {
        return opened.get();
    }

    /** Connections that have been closed (by either side). */
    public int connectionsClosed() {
        return closed.get();
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
        server.close().await();
    }
}
