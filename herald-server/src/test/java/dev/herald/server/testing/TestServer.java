package dev.herald.server.testing;

import dev.herald.core.JsonText;
import dev.herald.core.broker.Broker;
import dev.herald.core.broker.MemoryBroker;
import dev.herald.core.store.MessageStore;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.ConfigSources;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.config.Setting;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real Herald server on a free port for one test; close it in {@code @AfterEach}. */
public final class TestServer implements AutoCloseable {
    public static final String JWT_SECRET = "test-secret-that-is-at-least-32-bytes-long!";
    public static final String API_KEY = "test-api-key-0123456789";

    /**
     * {@code http.event-loops} for every server a test starts without choosing its own: the build runs the tests
     * tagged {@link #EVENT_LOOPS_TAG} once per count (herald-server's pom: 2 in the main run, then 1 and 4).
     */
    public static final String EVENT_LOOPS_PROPERTY = "herald.test.event-loops";
    /** Tests whose guarantees (order, replay, resume, slow consumers) must hold whatever the number of event loops. */
    public static final String EVENT_LOOPS_TAG = "event-loops";

    private final HeraldServer server;
    private final Http http;

    private TestServer(HeraldServer server, String apiKey) {
        this.server = server;
        this.http = new Http(URI.create("http://127.0.0.1:" + server.port()), apiKey);
    }

    /** Dev mode (no auth) with the given overrides. */
    public static TestServer devMode(Map<Setting, String> overrides) {
        return start(overrides, null);
    }

    public static TestServer devMode() {
        return devMode(Map.of());
    }

    /** Auth configured: HS256 {@link #JWT_SECRET} and API key {@link #API_KEY}. */
    public static TestServer withAuth(Map<Setting, String> overrides) {
        Map<Setting, String> all = new EnumMap<>(Setting.class);
        all.put(Setting.AUTH_JWT_SECRET, JWT_SECRET);
        all.put(Setting.AUTH_API_KEYS, API_KEY);
        all.putAll(overrides);
        return start(all, API_KEY);
    }

    public static HeraldConfig config(Map<Setting, String> overrides) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.PORT, "0");
        flags.put(Setting.NODE_ID, "test-node");
        flags.put(Setting.SHUTDOWN_GRACE, "5s");
        try {
            flags.put(Setting.DATA_DIR, Files.createTempDirectory("herald-test").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String loops = System.getProperty(EVENT_LOOPS_PROPERTY, "");
        if (!loops.isEmpty()) {
            flags.put(Setting.HTTP_EVENT_LOOPS, loops); // a test that sets its own count (below) still wins
        }
        flags.putAll(overrides);
        return new ConfigSources().flags(flags).build();
    }

    /** Dev mode over the given broker (e.g. a {@link SwitchableBroker}). */
    public static TestServer devMode(Map<Setting, String> overrides, Broker broker) {
        return new TestServer(new HeraldServer(config(overrides), Clock.systemUTC(), broker).start(), null);
    }

    /** Dev mode over the given store (e.g. a {@link SwitchableStore}). */
    public static TestServer devMode(Map<Setting, String> overrides, MessageStore store) {
        return new TestServer(new HeraldServer(config(overrides), Clock.systemUTC(),
                new MemoryBroker(), store).start(), null);
    }

    /** Dev mode with the given clock (e.g. a {@link MutableClock}): message timestamps, TTLs and receipts follow it. */
    public static TestServer devMode(Map<Setting, String> overrides, Clock clock) {
        return new TestServer(new HeraldServer(config(overrides), clock).start(), null);
    }

    private static TestServer start(Map<Setting, String> overrides, String apiKey) {
        return new TestServer(new HeraldServer(config(overrides)).start(), apiKey);
    }

    public HeraldServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    public Http http() {
        return http;
    }

    public URI wsUri(String query) {
        return URI.create("ws://127.0.0.1:" + port() + "/ws" + (query == null ? "" : "?" + query));
    }

    /** Opens a WebSocket to {@code /ws} (optionally with a query) and waits for the handshake. */
    public WsClient connect(String query) {
        return WsClient.connect(wsUri(query), Map.of());
    }

    public WsClient connect() {
        return connect(null);
    }

    /** Seed protocol: connect, send {"uid": "…"}, and wait until the hub knows the connection. */
    public WsClient connectSeed(String uid) {
        int before = server.hub().sessions(uid).size();
        WsClient client = connect();
        client.send("{\"uid\": \"" + uid + "\"}");
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> server.hub().sessions(uid).size() > before);
        return client;
    }

    /** Herald protocol in dev mode: {@code /ws?uid=…}, returns once the welcome frame arrived. */
    public WsClient connectHerald(String uid) {
        WsClient client = connect("uid=" + uid);
        client.awaitFrame(f -> f.contains("\"type\":\"welcome\""));
        return client;
    }

    /**
     * Publishes {@code dataJson} durably to one user through {@code POST /api/v1/messages} and returns
     * the message id; fails unless the answer is 200 (delivered) or 202 (queued).
     */
    /**
     * A raw Herald-protocol WebSocket of {@code uid}, past its welcome frame and the positions frame that ends its
     * login replay (for frame-level tests; {@code uid} should have no stored messages).
     */
    public RawWebSocket loginRaw(String uid) {
        RawWebSocket ws = RawWebSocket.connect(wsUri("uid=" + uid));
        String welcome = ws.read().text();
        if (!welcome.contains("\"type\":\"welcome\"")) {
            throw new AssertionError("expected a welcome frame, got " + welcome);
        }
        String positions = ws.read().text();
        if (!positions.startsWith("{\"type\":\"positions\"")) {
            throw new AssertionError("expected the login's positions frame, got " + positions);
        }
        return ws;
    }

    /** Waits until {@code uid} has no connection left on this node. */
    public void awaitGone(String uid) {
        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.hub().sessions(uid).isEmpty());
    }

    /** {@code POST /api/v1/messages} with {@code body}: the answer; fails unless it is 200 or 202. */
    public JsonObject publish(String body) {
        Http.Response r = http.postJson("/api/v1/messages", body);
        if (r.status() != 200 && r.status() != 202) {
            throw new AssertionError("publish of " + body + " answered " + r.status() + ": " + r.body());
        }
        return new JsonObject(r.body());
    }

    /** Publishes {@code dataJson} to {@code uid}; its message id. */
    public String publishToUser(String uid, String dataJson) {
        return publish("{\"to\":{\"users\":[" + JsonText.quote(uid) + "]},\"data\":" + dataJson + "}").getString("id");
    }

    /** {@code GET /api/v1/messages/{id}}: the receipt; fails unless the answer is 200. */
    public JsonObject receipt(String messageId) {
        Http.Response r = http.get("/api/v1/messages/" + messageId);
        if (r.status() != 200) {
            throw new AssertionError("receipt of " + messageId + " answered " + r.status() + ": " + r.body());
        }
        return new JsonObject(r.body());
    }

    /** One recipient's entry of a receipt ({@code status}, {@code deliveredAt}, {@code ackedAt}, {@code readAt}). */
    public JsonObject recipient(String messageId, String uid) {
        JsonArray recipients = receipt(messageId).getJsonArray("recipients");
        for (int i = 0; i < recipients.size(); i++) {
            if (recipients.getJsonObject(i).getString("user").equals(uid)) {
                return recipients.getJsonObject(i);
            }
        }
        throw new AssertionError(uid + " is not a recipient of " + messageId + ": " + recipients);
    }

    /** Waits until the receipt of {@code messageId} shows {@code status} (e.g. {@code delivered}) for {@code uid}. */
    public void awaitStatus(String messageId, String uid, String status) {
        Awaitility.await().atMost(WsClient.WAIT)
                .until(() -> recipient(messageId, uid).getString("status").equals(status));
    }

    /** Runs one store maintenance pass now (inbox cap, TTL expiry, purge) as of {@code nowMillis}, and waits for it. */
    public void maintainStore(long nowMillis) {
        server.store().maintain(nowMillis).orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Override
    public void close() {
        server.shutdown(Duration.ofSeconds(5));
    }
}
