package dev.herald.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Receives a user's messages over one WebSocket to Herald ({@code /ws}, docs/protocol.md) with the same behaviour as
 * the browser SDK: logs in with a token (asked of a supplier before every connect) or, in dev mode, a uid; reconnects
 * with capped exponential backoff and jitter, only after close codes that allow it; notices a dead connection when a
 * ping goes unanswered for {@link Builder#pongTimeout} (5 s) instead of waiting for the server's heartbeat timeout;
 * resumes each stream (inbox, broadcast log, each topic) after the last position it delivered, reporting lost
 * history as a gap; acknowledges (after the listener returned, or when the application says so); drops duplicates
 * by id; follows topics again after every reconnect.
 *
 * <pre>{@code
 * HeraldSubscriber s = HeraldSubscriber.builder(URI.create("ws://127.0.0.1:8181/ws"))
 *         .token(() -> myBackend.heraldToken())           // or .uid("123") in dev mode
 *         .topics("news")
 *         .onMessage(m -> System.out.println(m.id() + " " + m.text()))
 *         .build();
 * s.start();
 * }</pre>
 *
 * <p>Thread safety: every method may be called from any thread. Connection state lives on one I/O thread of its own;
 * listener methods run on the listener executor (by default a thread of their own), one at a time, in event order.
 * The resume positions are kept in memory: {@link #positions()} and {@link Builder#resumeFrom} carry them across
 * restarts of the process.
 */
public final class HeraldSubscriber implements AutoCloseable {
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(10);
    /** The article Herald grew from advises about 5 s without an answer before calling a connection dead. */
    public static final Duration DEFAULT_PONG_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_ACK_DELAY = Duration.ofMillis(100);
    public static final int DEFAULT_DEDUPE_WINDOW = 1000;
    /** Ids per ack/read frame, well under the server's 64 KiB frame limit. */
    private static final int IDS_PER_FRAME = 500;

    private final URI url;
    private final Supplier<String> token;
    private final String uid;
    private final boolean autoAck;
    private final Backoff backoff;
    private final Duration pingInterval;
    private final Duration pongTimeout;
    private final Duration connectTimeout;
    private final Duration ackDelay;
    private final SubscriberListener listener;
    private final Executor events;
    private final ExecutorService ownedEventThread;
    private final HttpClient http;
    private final ScheduledExecutorService io;

    // I/O thread only
    private final Set<String> topics = new LinkedHashSet<>();
    private final StreamCursors streams;
    private final RecentIds recent;
    private final Set<String> acks = new LinkedHashSet<>();
    private final Set<String> reads = new LinkedHashSet<>();
    private final Map<String, List<String>> pendingSubscribes = new LinkedHashMap<>();
    private Map<String, String> loggedInWith = Map.of();
    private String lastId;
    private boolean active;
    private Connection current;
    private int attempt;
    private Integer previousCode;
    private int refs;
    private ScheduledFuture<?> retryTimer;
    private ScheduledFuture<?> flushTimer;
    /** Completes when the last connection's polite close ended. */
    private volatile CompletableFuture<?> closing = CompletableFuture.completedFuture(null);
    private volatile SubscriberState.Kind state = SubscriberState.Kind.CLOSED;

    private HeraldSubscriber(Builder b) {
        this.url = b.url;
        this.token = b.token;
        this.uid = b.uid;
        this.autoAck = b.autoAck;
        this.backoff = b.backoff;
        this.pingInterval = b.pingInterval;
        this.pongTimeout = b.pongTimeout;
        this.connectTimeout = b.connectTimeout;
        this.ackDelay = b.ackDelay;
        this.listener = Objects.requireNonNull(b.listener, "a listener (or onMessage) is required");
        this.ownedEventThread = b.executor == null ? Executors.newSingleThreadExecutor(daemon("herald-subscriber-events")) : null;
        this.events = new SerialExecutor(b.executor != null ? b.executor : ownedEventThread);
        this.http = b.http != null ? b.http : HttpClient.newHttpClient();
        this.io = Executors.newSingleThreadScheduledExecutor(daemon("herald-subscriber-io"));
        this.topics.addAll(b.topics);
        this.streams = StreamCursors.of(b.resumeFrom);
        this.recent = new RecentIds(b.dedupeWindow);
    }

    public static Builder builder(URI url) {
        return new Builder(url);
    }

    /** Starts connecting, and keeps reconnecting until {@link #close()} or a close code that forbids it. */
    public void start() {
        onIo(() -> {
            if (active) {
                return;
            }
            active = true;
            attempt = 0;
            previousCode = null;
            open();
        });
    }

    /** Sends the acks still batched, closes the connection (1000) for good, and stops the subscriber's threads. */
    @Override
    public void close() {
        try {
            // the acks and the close frame are on their way once the close handshake ended (or gave up): then return,
            // so that a process exiting right after close() has sent them
            io.submit(() -> {
                flush();
                stop(CloseCodes.NORMAL, "closed by the client");
            }).get(5, TimeUnit.SECONDS);
            closing.get(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            // already closed, or the I/O thread is stuck: stop it anyway
        }
        io.shutdown();
        if (ownedEventThread != null) {
            ownedEventThread.shutdown(); // events already queued (the CLOSED state) are still delivered
        }
    }

    /** Follows topics now and after every reconnect; a topic newly followed starts with what is published from now on. */
    public void subscribe(String... names) {
        List<String> list = List.of(names);
        onIo(() -> {
            List<String> added = new ArrayList<>();
            for (String t : list) {
                if (topics.add(t)) {
                    streams.remove(StreamCursors.topic(t));
                    added.add(t);
                }
            }
            if (!added.isEmpty() && state == SubscriberState.Kind.OPEN) {
                sendSubscribe(added, null);
            }
        });
    }

    /** Stops following topics. */
    public void unsubscribe(String... names) {
        List<String> list = List.of(names);
        onIo(() -> {
            list.forEach(t -> {
                topics.remove(t);
                streams.remove(StreamCursors.topic(t));
            });
            if (state == SubscriberState.Kind.OPEN) {
                send(current, ClientFrames.topics("unsubscribe", list, null, null));
            }
        });
    }

    /** Acknowledges a message (batched for {@link Builder#ackDelay}; kept across reconnects until sent). */
    public void ack(String id) {
        onIo(() -> {
            acks.add(id);
            scheduleFlush();
        });
    }

    /** Marks a message read (batched like acks). */
    public void read(String id) {
        onIo(() -> {
            reads.add(id);
            scheduleFlush();
        });
    }

    public SubscriberState.Kind state() {
        return state;
    }

    /**
     * Where each stream resumes: {@code inbox}, {@code all} and {@code topic:<name>} to {@code <pos>@<epoch>} (or
     * {@code 0}). Hand it to {@link Builder#resumeFrom} to resume in another process.
     */
    public Map<String, String> positions() {
        try {
            return io.submit(streams::snapshot).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            return Map.of();
        }
    }

    // ---- connection lifecycle (I/O thread) ----

    private void open() {
        Connection conn = new Connection();
        current = conn;
        setState(SubscriberState.Kind.CONNECTING, 0, "", null, null, null);
        Map<String, String> login;
        try {
            login = login();
        } catch (RuntimeException e) {
            emitError("token_failed", "the token supplier failed: " + e);
            current = null;
            retryOrStop(CloseCodes.ABNORMAL, "token supplier failed", true);
            return;
        }
        if (login == null) {
            current = null;
            stop(CloseCodes.UNAUTHORIZED, "the token supplier gave no token");
            return;
        }
        conn.connectTimer = io.schedule(() -> lost(conn, CloseCodes.ABNORMAL, "no welcome within " + connectTimeout.toMillis() + " ms"),
                connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
        http.newWebSocketBuilder().connectTimeout(connectTimeout).buildAsync(url, conn)
                .whenComplete((ws, failure) -> onIo(() -> {
                    if (conn != current) {
                        if (ws != null) {
                            ws.abort();
                        }
                        return;
                    }
                    if (failure != null) {
                        lost(conn, CloseCodes.ABNORMAL, "cannot connect: " + rootMessage(failure));
                        return;
                    }
                    conn.ws = ws;
                    loggedInWith = loginCursors();
                    Map<String, String> auth = new LinkedHashMap<>(login);
                    auth.putAll(loggedInWith);
                    send(conn, ClientFrames.auth(auth));
                }));
    }

    /** The login fields; null when the token supplier says there is no user. Tokens go in the first frame, not the URL (proxy logs). */
    private Map<String, String> login() {
        if (token == null) {
            return Map.of("uid", uid);
        }
        String t = token.get();
        return t == null || t.isEmpty() ? null : Map.of("token", t);
    }

    /**
     * The login's {@code since} and {@code sinceAll}: positions when the inbox's and the broadcast log's are known
     * (from the first positions frame on); else the last message id, which resumes both on servers without positions.
     */
    private Map<String, String> loginCursors() {
        StreamPosition inbox = streams.get(StreamCursors.INBOX);
        StreamPosition all = streams.get(StreamCursors.BROADCAST);
        Map<String, String> cursors = new LinkedHashMap<>();
        if (inbox != null && (all != null || lastId == null)) {
            cursors.put("since", inbox.toString());
        } else if (lastId != null) {
            cursors.put("since", lastId);
        }
        if (all != null) {
            cursors.put("sinceAll", all.toString());
        }
        return cursors;
    }

    /** A connection ended (close frame, network error, timeout, unanswered ping): retry or stop. */
    private void lost(Connection conn, int code, String reason) {
        if (conn != current) {
            return;
        }
        boolean stable = conn.welcomedAt != 0 && System.nanoTime() - conn.welcomedAt >= backoff.resetAfter().toNanos();
        drop(conn, false);
        if (!active) {
            return;
        }
        if (stable) {
            attempt = 0;
        }
        retryOrStop(code, reason, CloseCodes.reconnectAfter(code, token != null, previousCode));
    }

    private void retryOrStop(int code, String reason, boolean retry) {
        previousCode = code;
        if (!retry) {
            stop(code, reason);
            return;
        }
        Duration delay = backoff.delay(attempt++, ThreadLocalRandom.current()::nextDouble);
        setState(SubscriberState.Kind.RECONNECTING, code, reason, delay, null, null);
        retryTimer = io.schedule(this::open, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void stop(int code, String reason) {
        boolean wasActive = active;
        active = false;
        if (retryTimer != null) {
            retryTimer.cancel(false);
        }
        if (current != null) {
            drop(current, true);
        }
        if (wasActive) {
            setState(SubscriberState.Kind.CLOSED, code, reason, null, null, null);
        }
    }

    /** Forgets a connection and its timers; {@code politely}: a close frame first, else the socket is just cut. */
    private void drop(Connection conn, boolean politely) {
        current = null;
        conn.cancelTimers();
        pendingSubscribes.clear();
        WebSocket ws = conn.ws;
        if (ws == null) {
            return;
        }
        if (politely && !ws.isOutputClosed()) {
            closing = conn.sendTail.handle((x, e) -> null)
                    .thenCompose(x -> ws.sendClose(CloseCodes.NORMAL, ""))
                    .orTimeout(2, TimeUnit.SECONDS)
                    .handle((x, e) -> {
                        ws.abort();
                        return null;
                    });
        } else {
            ws.abort();
        }
    }

    private void welcome(Connection conn, ServerFrame f) {
        conn.connectTimer.cancel(false);
        conn.welcomedAt = System.nanoTime();
        previousCode = null;
        long every = pingInterval.toMillis();
        conn.pingTimer = io.scheduleAtFixedRate(() -> ping(conn), every, every, TimeUnit.MILLISECONDS);
        setState(SubscriberState.Kind.OPEN, 0, "", null, f.user(), f.connection());
        resubscribe();
        flush();
    }

    /**
     * A dead connection (server gone without a close, network black hole) shows only as silence: each ping must be
     * answered (by its pong or any other frame) within the pong timeout.
     */
    private void ping(Connection conn) {
        if (conn != current) {
            return;
        }
        long sentAt = System.nanoTime();
        send(conn, "{\"type\":\"ping\"}");
        conn.pongCheck = io.schedule(() -> {
            if (conn == current && conn.lastFrameAt - sentAt < 0) {
                lost(conn, CloseCodes.ABNORMAL, "no answer to a ping within " + pongTimeout.toMillis() + " ms");
            }
        }, pongTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Each topic with a position resumes from it (a position names one topic); the others together, from now on. */
    private void resubscribe() {
        List<String> fresh = new ArrayList<>();
        for (String t : topics) {
            StreamPosition p = streams.get(StreamCursors.topic(t));
            if (p != null) {
                sendSubscribe(List.of(t), p.toString());
            } else {
                fresh.add(t);
            }
        }
        if (!fresh.isEmpty()) {
            sendSubscribe(fresh, null);
        }
    }

    // ---- frames (I/O thread) ----

    private void frame(Connection conn, String text) {
        if (conn != current) {
            return;
        }
        conn.lastFrameAt = System.nanoTime();
        ServerFrame f = ServerFrame.parse(text);
        if (f == null || f.type() == null) {
            emitError("invalid_json", "the server sent a frame that is not a JSON object");
            return;
        }
        switch (f.type()) {
            case "welcome" -> welcome(conn, f);
            case "message" -> message(f);
            case "gap" -> gap(f);
            case "positions" -> positionsFrame(f);
            case "subscribed" -> pendingSubscribes.remove(f.ref());
            case "error" -> serverError(f);
            default -> { } // pong, unsubscribed, and types a newer server may add
        }
    }

    private void message(ServerFrame f) {
        if (f.id() == null) {
            return;
        }
        String stream = StreamCursors.streamOf(f.topic(), f.all());
        StreamPosition position = f.pos() != null && f.epoch() != null ? new StreamPosition(f.pos(), f.epoch()) : null;
        if (position != null) {
            if (streams.isRepeat(stream, position)) {
                repeat(f.id());
                return;
            }
            StreamPosition lostFrom = streams.replacedBy(stream, position);
            if (lostFrom != null) {
                emitGap(stream, lostFrom.toString()); // a new epoch: the stream's history was lost or reset
            }
            streams.set(stream, position);
        }
        if (!recent.add(f.id())) {
            repeat(f.id());
            return;
        }
        if (lastId == null || f.id().compareTo(lastId) > 0) {
            lastId = f.id();
        }
        ReceivedMessage m = new ReceivedMessage(f.id(), f.ts(), f.topic(), f.all(), position, f.dataJson(), this);
        emit(() -> {
            listener.onMessage(m);
            if (autoAck) {
                ack(m.id()); // after the listener returned: an ack means "processed"
            }
        });
    }

    /** A message the application already had: not delivered again, but acked again (our ack may be what got lost). */
    private void repeat(String id) {
        if (autoAck) {
            acks.add(id);
            scheduleFlush();
        }
    }

    /** After a replay: where the connection stands in each stream it read; exact resume points. */
    private void positionsFrame(ServerFrame f) {
        take(StreamCursors.INBOX, f.inbox());
        take(StreamCursors.BROADCAST, f.allCursor());
        f.topicCursors().forEach((t, cursor) -> {
            if (topics.contains(t)) { // not one unsubscribed meanwhile
                take(StreamCursors.topic(t), cursor);
            }
        });
    }

    private void take(String stream, String cursor) {
        StreamPosition p = StreamPosition.parse(cursor);
        if (p != null) {
            streams.set(stream, p);
        }
    }

    /**
     * Messages after {@code since} were lost. The frame names a topic, the broadcast log, or else the login cursor it
     * answers. With {@code position} the stream continues from there; without, its position is forgotten.
     */
    private void gap(ServerFrame f) {
        List<String> affected;
        if (f.topic() != null) {
            affected = List.of(StreamCursors.topic(f.topic()));
        } else if (f.all()) {
            affected = List.of(StreamCursors.BROADCAST);
        } else if (f.since() != null && f.since().equals(loggedInWith.get("sinceAll"))) {
            affected = List.of(StreamCursors.BROADCAST);
        } else if (f.position() != null || StreamPosition.parse(f.since()) != null || loggedInWith.containsKey("sinceAll")) {
            affected = List.of(StreamCursors.INBOX);
        } else {
            affected = List.of(StreamCursors.INBOX, StreamCursors.BROADCAST);
        }
        StreamPosition position = affected.size() == 1 ? StreamPosition.parse(f.position()) : null;
        if (position != null) {
            streams.set(affected.get(0), position);
        } else {
            affected.forEach(streams::remove);
        }
        emitGap(affected.get(0), f.since());
    }

    private void emitGap(String stream, String since) {
        String topic = stream.startsWith("topic:") ? stream.substring("topic:".length()) : null;
        SubscriberGap gap = new SubscriberGap(since, topic, stream.equals(StreamCursors.BROADCAST));
        emit(() -> listener.onGap(gap));
    }

    private void serverError(ServerFrame f) {
        List<String> refused = f.ref() != null ? pendingSubscribes.remove(f.ref()) : null;
        if ("invalid_cursor".equals(f.code()) && refused != null) {
            refused.forEach(t -> streams.remove(StreamCursors.topic(t))); // the topics are fine, their cursor is not
            sendSubscribe(refused, null);
        } else if ("invalid_cursor".equals(f.code())) { // the login's: it went on without it
            lastId = null;
            streams.remove(StreamCursors.INBOX);
            streams.remove(StreamCursors.BROADCAST);
        } else if (refused != null) {
            refused.forEach(topics::remove); // or every reconnect would be refused again
        }
        emitError(f.code(), f.message() + (refused != null ? " (topics " + refused + ")" : ""));
    }

    private void sendSubscribe(List<String> names, String since) {
        String ref = "s" + ++refs;
        pendingSubscribes.put(ref, List.copyOf(names));
        send(current, ClientFrames.topics("subscribe", names, since, ref));
    }

    private void scheduleFlush() {
        if (flushTimer == null || flushTimer.isDone()) {
            flushTimer = io.schedule(this::flush, ackDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Sends batched acks and reads on an open connection; otherwise they wait for the next one. */
    private void flush() {
        if (state != SubscriberState.Kind.OPEN || current == null || current.ws == null) {
            return;
        }
        for (Map.Entry<String, Set<String>> batch : Map.of("ack", acks, "read", reads).entrySet()) {
            List<String> ids = new ArrayList<>(batch.getValue());
            batch.getValue().clear();
            for (int i = 0; i < ids.size(); i += IDS_PER_FRAME) {
                send(current, ClientFrames.ids(batch.getKey(), ids.subList(i, Math.min(ids.size(), i + IDS_PER_FRAME))));
            }
        }
    }

    /** java.net.http allows one outstanding send per socket: sends are chained. */
    private void send(Connection conn, String json) {
        if (conn == null || conn.ws == null) {
            return;
        }
        WebSocket ws = conn.ws;
        conn.sendTail = conn.sendTail.handle((x, e) -> null).thenCompose(x -> ws.sendText(json, true));
    }

    // ---- events ----

    private void setState(SubscriberState.Kind kind, int code, String reason, Duration retryIn, String user, String connection) {
        state = kind;
        SubscriberState change = new SubscriberState(kind, code, reason == null ? "" : reason, retryIn, user, connection);
        emit(() -> listener.onState(change));
    }

    private void emitError(String code, String message) {
        emit(() -> listener.onError(code, message));
    }

    private void emit(Runnable call) {
        try {
            events.execute(() -> {
                try {
                    call.run();
                } catch (RuntimeException e) {
                    listener.onListenerFailure(e);
                }
            });
        } catch (RejectedExecutionException closed) {
            // the application shut its executor down: nobody is listening any more
        }
    }

    private void onIo(Runnable task) {
        try {
            io.execute(task);
        } catch (RejectedExecutionException closed) {
            // closed: nothing more to do
        }
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** One WebSocket attempt; its callbacks hop onto the I/O thread, where a stale connection's events are dropped. */
    private final class Connection implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        WebSocket ws;
        CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);
        long welcomedAt;
        volatile long lastFrameAt = System.nanoTime();
        ScheduledFuture<?> connectTimer;
        ScheduledFuture<?> pingTimer;
        ScheduledFuture<?> pongCheck;

        void cancelTimers() {
            for (ScheduledFuture<?> timer : new ScheduledFuture<?>[] {connectTimer, pingTimer, pongCheck}) {
                if (timer != null) {
                    timer.cancel(false);
                }
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                onIo(() -> frame(this, text));
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            lastFrameAt = System.nanoTime(); // the server's heartbeat is a sign of life too
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            onIo(() -> lost(this, statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            onIo(() -> lost(this, CloseCodes.ABNORMAL, rootMessage(error)));
        }
    }

    /** Options; {@link #uid} or {@link #token}, and a listener, are required. */
    public static final class Builder {
        private final URI url;
        private Supplier<String> token;
        private String uid;
        private final List<String> topics = new ArrayList<>();
        private boolean autoAck = true;
        private Backoff backoff = Backoff.DEFAULT;
        private Duration pingInterval = DEFAULT_PING_INTERVAL;
        private Duration pongTimeout = DEFAULT_PONG_TIMEOUT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration ackDelay = DEFAULT_ACK_DELAY;
        private SubscriberListener listener;
        private Executor executor;
        private HttpClient http;
        private Map<String, String> resumeFrom = Map.of();
        private int dedupeWindow = DEFAULT_DEDUPE_WINDOW;

        private Builder(URI url) {
            this.url = webSocketUrl(url);
        }

        /** ws(s)://host/ws; http(s) URLs are turned into ws(s), and a bare host gets {@code /ws}. */
        static URI webSocketUrl(URI url) {
            String scheme = url.getScheme();
            if (scheme == null || !List.of("ws", "wss", "http", "https").contains(scheme)) {
                throw new IllegalArgumentException("the URL must be ws://, wss://, http:// or https://: " + url);
            }
            String ws = scheme.startsWith("http") ? scheme.replace("http", "ws") : scheme;
            String path = url.getRawPath() == null || url.getRawPath().isEmpty() || url.getRawPath().equals("/") ? "/ws" : url.getRawPath();
            return URI.create(ws + "://" + url.getRawAuthority() + path + (url.getRawQuery() != null ? "?" + url.getRawQuery() : ""));
        }

        /** A JWT, asked for before every connect (it may have expired meanwhile). Null or empty: logged out, stop. */
        public Builder token(Supplier<String> supplier) {
            this.token = Objects.requireNonNull(supplier);
            return this;
        }

        public Builder token(String jwt) {
            Objects.requireNonNull(jwt);
            return token(() -> jwt);
        }

        /** Dev mode only: log in as this user id. */
        public Builder uid(String uid) {
            this.uid = Objects.requireNonNull(uid);
            return this;
        }

        public Builder topics(String... names) {
            topics.addAll(List.of(names));
            return this;
        }

        /** True (default): a message is acked once the listener returned. False: call {@link ReceivedMessage#ack()}. */
        public Builder autoAck(boolean autoAck) {
            this.autoAck = autoAck;
            return this;
        }

        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff);
            return this;
        }

        /** How often the client pings an open connection (default 10 s). */
        public Builder pingInterval(Duration every) {
            this.pingInterval = positive(every);
            return this;
        }

        /** How long a ping may go unanswered before the connection counts as dead (default 5 s). */
        public Builder pongTimeout(Duration timeout) {
            this.pongTimeout = positive(timeout);
            return this;
        }

        /** From opening the socket to the welcome frame (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout);
            return this;
        }

        /** Acks and reads are batched for this long (default 100 ms). */
        public Builder ackDelay(Duration delay) {
            this.ackDelay = Objects.requireNonNull(delay);
            return this;
        }

        public Builder listener(SubscriberListener listener) {
            this.listener = listener;
            return this;
        }

        /** A listener that only takes messages. */
        public Builder onMessage(Consumer<ReceivedMessage> onMessage) {
            Objects.requireNonNull(onMessage);
            return listener(onMessage::accept);
        }

        /** Where listener methods run (serialised, in event order). Default: a daemon thread of the subscriber's own. */
        public Builder listenerExecutor(Executor executor) {
            this.executor = Objects.requireNonNull(executor);
            return this;
        }

        public Builder httpClient(HttpClient http) {
            this.http = Objects.requireNonNull(http);
            return this;
        }

        /** Resume from the {@link HeraldSubscriber#positions()} of an earlier subscriber of the same user. */
        public Builder resumeFrom(Map<String, String> positions) {
            this.resumeFrom = Map.copyOf(positions);
            return this;
        }

        /** How many recent ids are remembered to drop duplicates (default 1000). */
        public Builder dedupeWindow(int ids) {
            this.dedupeWindow = ids;
            return this;
        }

        public HeraldSubscriber build() {
            if ((token == null) == (uid == null)) {
                throw new IllegalStateException("set exactly one of token(…) and uid(…)");
            }
            return new HeraldSubscriber(this);
        }

        private static Duration positive(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("must be positive: " + d);
            }
            return d;
        }
    }
}
