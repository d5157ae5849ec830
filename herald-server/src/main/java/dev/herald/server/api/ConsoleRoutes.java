package dev.herald.server.api;

import dev.herald.core.error.ErrorCode;
import dev.herald.core.hub.Hub;
import dev.herald.core.notify.Contacts;
import dev.herald.core.notify.Notifications;
import dev.herald.core.session.BaseSession;
import dev.herald.core.store.MessageStore;
import dev.herald.server.api.Replies.Reply;
import dev.herald.server.config.HeraldConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What the operator console reads besides the public API, under {@code /api/v1/admin/} (behind the API-key guard
 * of {@code /api/v1/*}, as every admin call): the store's health, the dead-letter count, this node's online users a
 * page at a time, a user's contacts and the effective configuration. Nothing secret is ever in an answer: secrets are
 * masked here, on the server, so the browser never holds one ({@link #maskEmail}, {@link HeraldConfig#effective()}).
 * Thread-safe; no state of its own.
 */
public final class ConsoleRoutes {
    /** A store that has not answered the probe within this is reported unhealthy (the probe is a one-row read). */
    static final long PROBE_TIMEOUT_MS = 2_000;
    /** A message id no message has (26 ULID characters): the probe's read finds nothing, quickly, on every store. */
    static final String PROBE_ID = "00000000000000000000000000";
    static final int DEFAULT_USERS_PAGE = 50;
    static final int MAX_USERS_PAGE = 500;

    private final Hub hub;
    private final MessageStore store;
    private final Notifications notifications;
    private final HeraldConfig config;
    private final Clock clock;
    private final LongSupplier failedCommits;

    /** {@code failedCommits}: the store's failed group commits since start ({@code herald.store.commits.failed}), or 0. */
    public ConsoleRoutes(Hub hub, MessageStore store, Notifications notifications, HeraldConfig config, Clock clock,
                         LongSupplier failedCommits) {
        this.hub = hub;
        this.store = store;
        this.notifications = notifications;
        this.config = config;
        this.clock = clock;
        this.failedCommits = failedCommits;
    }

    /** Mounted after {@link ApiRoutes}, whose guard (API key, draining) covers {@code /api/v1/*}. */
    public void mount(Router router) {
        router.get("/api/v1/admin/health").handler(this::health);
        router.get("/api/v1/admin/users").handler(this::users);
        router.get("/api/v1/admin/users/:uid/contacts").handler(this::contacts);
        router.get("/api/v1/admin/config").handler(this::config);
    }

    /**
     * {@code {"store":{"healthy","latencyMs","error","failedCommits","name"},"deadLetters":{"count"}}}: the store
     * probed with a read of a message id that does not exist (the same path a receipt takes), timed; the dead letters
     * counted exactly by the store (one indexed count, not pages).
     */
    private void health(RoutingContext ctx) {
        CompletableFuture<JsonObject> probe = probeStore();
        // bounded as the probe is: a store that hangs makes the answer say so, not hang with it
        CompletableFuture<JsonObject> dead = notifications.countDeadLetters(null, null, null)
                .orTimeout(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .handle((count, error) -> error != null ? new JsonObject().put("count", (Long) null).put("error", "store_unavailable")
                        : new JsonObject().put("count", count));
        Replies.async(ctx, () -> probe.thenCombine(dead, (s, d) -> new JsonObject().put("node", config.nodeId())
                .put("store", s).put("deadLetters", d)), body -> new Reply(200, body));
    }

    private CompletableFuture<JsonObject> probeStore() {
        long started = System.nanoTime();
        try {
            return store.receipt(PROBE_ID, clock.millis())
                    .orTimeout(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .handle((found, error) -> storeJson(started, error));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(storeJson(started, e));
        }
    }

    private JsonObject storeJson(long started, Throwable error) {
        double ms = (System.nanoTime() - started) / 1_000_000.0;
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        return new JsonObject().put("name", store.describe()).put("healthy", error == null)
                .put("latencyMs", Math.round(ms * 100) / 100.0)
                // a kind, not the exception's message: a driver's message may name hosts or users
                .put("error", cause == null ? null : cause instanceof java.util.concurrent.TimeoutException ? "timeout" : "store_unavailable")
                .put("failedCommits", failedCommits.getAsLong());
    }

    /**
     * {@code ?after=&prefix=&limit=}: this node's online users in user-id order, {@code limit} (1-500, default 50) after
     * {@code after}, each with its connection count and transports. One pass over the hub that keeps only the page
     * (a bounded sorted set), so 20,000 users cost a scan, never an answer (or a page) of 20,000 rows.
     */
    private void users(RoutingContext ctx) {
        String[] params = QueryParams.first(ctx.request(), "after", "prefix", "limit");
        String after = params[0] == null ? "" : params[0];
        String prefix = params[1] == null ? "" : params[1];
        int limit = pageSize(params[2]);
        Replies.respond(ctx, 200, usersPage(hub, after, prefix, limit));
    }

    static JsonObject usersPage(Hub hub, String after, String prefix, int limit) {
        TreeMap<String, TreeMap<String, Integer>> page = new TreeMap<>();
        hub.forEach(session -> {
            String user = session.userId();
            if (user == null || session.isClosed() || !user.startsWith(prefix)) {
                return;
            }
            if (user.compareTo(after) <= 0) {
                return;
            }
            // the page plus one (to tell whether there is more): the largest id leaves once the set holds more
            TreeMap<String, Integer> transports = page.get(user);
            if (transports == null) {
                if (page.size() > limit && user.compareTo(page.lastKey()) > 0) {
                    return;
                }
                transports = new TreeMap<>();
                page.put(user, transports);
                if (page.size() > limit + 1) {
                    page.pollLastEntry();
                }
            }
            transports.merge(session.transport(), 1, Integer::sum);
        });
        JsonArray users = new JsonArray();
        String last = null;
        for (Map.Entry<String, TreeMap<String, Integer>> e : page.entrySet()) {
            if (users.size() == limit) {
                break;
            }
            int connections = e.getValue().values().stream().mapToInt(Integer::intValue).sum();
            users.add(new JsonObject().put("user", e.getKey()).put("connections", connections)
                    .put("transports", new JsonObject(new java.util.LinkedHashMap<>(e.getValue()))));
            last = e.getKey();
        }
        return new JsonObject().put("users", users).put("next", page.size() > limit ? last : null)
                .put("usersOnline", hub.userCount()).put("connections", hub.connectionCount());
    }

    private static int pageSize(String value) {
        if (value == null) {
            return DEFAULT_USERS_PAGE;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_USERS_PAGE) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ErrorCode.INVALID_REQUEST.exception("limit must be a number from 1 to " + MAX_USERS_PAGE);
    }

    /** A user's contacts as the console shows them: URLs cut to their host, e-mail addresses shown in part, secrets as a flag. */
    private void contacts(RoutingContext ctx) {
        String uid = ctx.pathParam("uid");
        Replies.async(ctx, () -> notifications.contacts(uid), c -> new Reply(200, maskedContacts(uid, c)));
    }

    static JsonObject maskedContacts(String userId, Contacts contacts) {
        return NotifyJson.contacts(userId, contacts,
                d -> d.address().contains("://") ? d.redactedAddress() : maskEmail(d.address()));
    }

    /**
     * {@code ann.lee@example.com} → {@code a••••••@e••••••.com}: enough to tell two addresses apart on a screen, not
     * enough to write to. The first character of the local part and of the domain, and the top-level domain, stay.
     */
    static String maskEmail(String address) {
        int at = address.lastIndexOf('@');
        if (at <= 0) {
            return hideAfterFirst(address);
        }
        String domain = address.substring(at + 1);
        int dot = domain.lastIndexOf('.');
        String shownDomain = dot <= 0 ? hideAfterFirst(domain) : hideAfterFirst(domain.substring(0, dot)) + domain.substring(dot);
        return hideAfterFirst(address.substring(0, at)) + "@" + shownDomain;
    }

    private static String hideAfterFirst(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.offsetByCodePoints(0, 1);
        return s.substring(0, first) + "•".repeat(Math.max(1, s.codePointCount(first, s.length())));
    }

    /** {@code {"settings":[{"key","value","default","unit","secret","origin","description"}]}}, every value masked. */
    private void config(RoutingContext ctx) {
        JsonArray settings = new JsonArray();
        for (HeraldConfig.Shown s : config.effective()) {
            settings.add(new JsonObject().put("key", s.setting().key()).put("value", s.value())
                    .put("default", s.setting().secret() ? "" : s.setting().defaultValue())
                    .put("unit", s.setting().unit()).put("secret", s.setting().secret())
                    .put("origin", s.origin()).put("description", s.setting().description()));
        }
        Replies.respond(ctx, 200, new JsonObject().put("node", config.nodeId()).put("devMode", config.devMode())
                .put("settings", settings));
    }
}
