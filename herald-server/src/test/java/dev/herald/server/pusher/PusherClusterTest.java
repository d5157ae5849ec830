package dev.herald.server.pusher;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.TestCluster;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.ToxicProxy;
import dev.herald.server.testing.WebhookReceiver;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Pusher endpoint of three nodes on one Redis (and one PostgreSQL database) as one push center, driven with plain
 * WebSocket clients speaking Pusher frames and signed HTTP API calls: presence members across nodes, channel info
 * from any node, webhooks once per change, the cache channel's last event on any node, client events and
 * terminate_connections across nodes, and a node that dies losing its members within node-ttl plus a heartbeat.
 * Short heartbeats ({@value #HEARTBEAT}, ttl {@value #TTL}).
 */
class PusherClusterTest {
    private static final String KEY = "cluster-key";
    private static final String SECRET = "cluster-secret-123";
    private static final PusherSignatures SIGNATURES = new PusherSignatures(KEY, SECRET);
    private static final String HEARTBEAT = "100ms";
    private static final String TTL = "500ms";

    private TestCluster cluster;
    private WebhookReceiver hooks;

    @BeforeEach
    void createCluster() throws Exception {
        cluster = new TestCluster();
        hooks = cluster.closeLater(new WebhookReceiver());
    }

    @AfterEach
    void closeCluster() throws Exception {
        cluster.close();
    }

    private TestServer node(String id) {
        return node(id, TestCluster.REDIS.getPort());
    }

    private TestServer node(String id, int redisPort) {
        return node(id, redisPort, Map.of());
    }

    private TestServer node(String id, int redisPort, Map<Setting, String> more) {
        Map<Setting, String> settings = new java.util.HashMap<>(Map.of(Setting.CLUSTER_HEARTBEAT, HEARTBEAT,
                Setting.CLUSTER_NODE_TTL, TTL, Setting.PUSHER_APP_ID, "1", Setting.PUSHER_KEY, KEY, Setting.PUSHER_SECRET, SECRET,
                Setting.PUSHER_WEBHOOK_URL, hooks.url(), Setting.PUSHER_SUBSCRIPTION_COUNT, "true"));
        settings.putAll(more);
        TestServer node = cluster.node(id, redisPort, settings);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> ((dev.herald.server.cluster.RedisClusterViews) node.server().views()).connected());
        return node;
    }

    /** A connected Pusher client and its socket id. */
    private record Client(WsClient ws, String socketId) {
        JsonObject await(String event, String channel) {
            return new JsonObject(ws.awaitFrame(f -> event.equals(new JsonObject(f).getString("event"))
                    && (channel == null || channel.equals(new JsonObject(f).getString("channel")))));
        }

        /** Data of every frame of {@code event} so far. */
        List<JsonObject> all(String event) {
            return ws.frames().stream().map(JsonObject::new).filter(f -> event.equals(f.getString("event")))
                    .map(f -> new JsonObject(f.getString("data"))).toList();
        }
    }

    private Client connect(TestServer node) {
        WsClient ws = WsClient.connect(URI.create("ws://127.0.0.1:" + node.port() + "/app/" + KEY + "?protocol=7"), Map.of());
        cluster.closeLater(ws::close);
        String established = ws.awaitFrame(f -> f.contains("pusher:connection_established"));
        return new Client(ws, new JsonObject(new JsonObject(established).getString("data")).getString("socket_id"));
    }

    private static void subscribe(Client c, String channel) {
        JsonObject data = new JsonObject().put("channel", channel);
        if (channel.startsWith("private-")) {
            data.put("auth", KEY + ":" + SIGNATURES.sign(PusherSignatures.channelText(c.socketId(), channel)));
        }
        c.ws().send(new JsonObject().put("event", "pusher:subscribe").put("data", data).encode());
        c.await("pusher_internal:subscription_succeeded", channel);
    }

    /** Joins a presence channel as {@code user}; returns the presence snapshot of subscription_succeeded. */
    private static JsonObject join(Client c, String channel, String user) {
        String channelData = new JsonObject().put("user_id", user).put("user_info", new JsonObject().put("name", user)).encode();
        String auth = KEY + ":" + SIGNATURES.sign(PusherSignatures.presenceText(c.socketId(), channel, channelData));
        c.ws().send(new JsonObject().put("event", "pusher:subscribe").put("data", new JsonObject().put("channel", channel)
                .put("auth", auth).put("channel_data", channelData)).encode());
        return new JsonObject(c.await("pusher_internal:subscription_succeeded", channel).getString("data")).getJsonObject("presence");
    }

    private static void leave(Client c, String channel) {
        c.ws().send(new JsonObject().put("event", "pusher:unsubscribe").put("data", new JsonObject().put("channel", channel)).encode());
    }

    private static void signIn(Client c, String user) {
        String userData = new JsonObject().put("id", user).encode();
        c.ws().send(new JsonObject().put("event", "pusher:signin").put("data", new JsonObject()
                .put("auth", KEY + ":" + SIGNATURES.sign(PusherSignatures.userText(c.socketId(), userData))).put("user_data", userData)).encode());
        c.await("pusher:signin_success", null);
    }

    /** A signed Pusher HTTP API call, as the server SDKs make it. */
    private static JsonObject api(TestServer node, String method, String path, Map<String, String> query, String body) {
        Map<String, String> params = new TreeMap<>(query);
        params.put("auth_key", KEY);
        params.put("auth_timestamp", String.valueOf(System.currentTimeMillis() / 1000));
        params.put("auth_version", "1.0");
        if (body != null) {
            params.put("body_md5", RequestSigning.md5(body.getBytes(StandardCharsets.UTF_8)));
        }
        params.put("auth_signature", SIGNATURES.sign(RequestSigning.stringToSign(method, path, params)));
        String uri = path + "?" + params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("&"));
        var response = body == null ? node.http().get(uri) : node.http().postJson(uri, body);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    private static void trigger(TestServer node, String channel, String event, String data) {
        api(node, "POST", "/apps/1/events", Map.of(), new JsonObject().put("name", event).put("channel", channel).put("data", data).encode());
    }

    /** The webhook events received so far with this name (and channel). */
    private List<JsonObject> webhooks(String name, String channel) {
        return hooks.requests().stream().map(r -> new JsonObject(r.body()).getJsonArray("events").getJsonObject(0))
                .filter(e -> name.equals(e.getString("name")) && channel.equals(e.getString("channel"))).toList();
    }

    @Test
    void presence_members_are_the_clusters_and_member_events_go_once_to_every_nodes_subscribers() {
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c");
        Client aliceOnA = connect(a);
        assertThat(join(aliceOnA, "presence-room", "alice").getInteger("count")).isEqualTo(1);

        Client bobOnB = connect(b);
        JsonObject seenByBob = join(bobOnB, "presence-room", "bob");
        assertThat(seenByBob.getJsonArray("ids")).containsExactlyInAnyOrder("alice", "bob");
        assertThat(seenByBob.getInteger("count")).isEqualTo(2);
        assertThat(seenByBob.getJsonObject("hash").getJsonObject("alice")).isEqualTo(new JsonObject().put("name", "alice"));
        assertThat(aliceOnA.await("pusher_internal:member_added", "presence-room").getString("data")).contains("\"bob\"");

        Client aliceOnC = connect(c); // alice's second connection, on another node: a member already
        assertThat(join(aliceOnC, "presence-room", "alice").getInteger("count")).isEqualTo(2);
        leave(aliceOnA, "presence-room"); // and her first goes: still a member through c
        trigger(a, "presence-room", "marker", "1");
        bobOnB.await("marker", "presence-room");
        assertThat(bobOnB.all("pusher_internal:member_added")).as("member events of alice's second connection").isEmpty();
        assertThat(bobOnB.all("pusher_internal:member_removed")).isEmpty();

        leave(aliceOnC, "presence-room"); // her last connection anywhere
        assertThat(new JsonObject(bobOnB.await("pusher_internal:member_removed", "presence-room").getString("data")))
                .isEqualTo(new JsonObject().put("user_id", "alice"));
        assertThat(api(c, "GET", "/apps/1/channels/presence-room/users", Map.of(), null).getJsonArray("users"))
                .isEqualTo(new JsonArray().add(new JsonObject().put("id", "bob")));

        // webhooks: one member_added per user, one member_removed for alice, whichever nodes saw them
        Awaitility.await().atMost(WsClient.WAIT).until(() -> webhooks("member_removed", "presence-room").size() == 1);
        Awaitility.await().during(Duration.ofMillis(1500)).atMost(WsClient.WAIT).until(() ->
                webhooks("member_added", "presence-room").size() == 2 && webhooks("member_removed", "presence-room").size() == 1);
        assertThat(webhooks("member_removed", "presence-room").get(0).getString("user_id")).isEqualTo("alice");
    }

    @Test
    void channel_info_answers_the_clusters_counts_from_any_node() {
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c");
        subscribe(connect(a), "news");
        subscribe(connect(a), "news");
        subscribe(connect(b), "news");
        join(connect(a), "presence-lobby", "ann");
        join(connect(b), "presence-lobby", "ben");
        join(connect(b), "presence-lobby", "ann");

        Awaitility.await().atMost(WsClient.WAIT).until(() ->
                api(c, "GET", "/apps/1/channels/news", Map.of("info", "subscription_count"), null).getInteger("subscription_count") == 3);
        assertThat(api(c, "GET", "/apps/1/channels/news", Map.of(), null).getBoolean("occupied")).isTrue();
        assertThat(api(c, "GET", "/apps/1/channels/empty", Map.of(), null).getBoolean("occupied")).isFalse();
        assertThat(api(c, "GET", "/apps/1/channels/presence-lobby", Map.of("info", "user_count"), null).getInteger("user_count")).isEqualTo(2);
        assertThat(api(a, "GET", "/apps/1/channels", Map.of(), null).getJsonObject("channels").fieldNames())
                .containsExactlyInAnyOrder("news", "presence-lobby");
        assertThat(api(b, "GET", "/apps/1/channels", Map.of("filter_by_prefix", "presence-", "info", "user_count"), null))
                .isEqualTo(new JsonObject().put("channels", new JsonObject().put("presence-lobby", new JsonObject().put("user_count", 2))));
        assertThat(api(c, "GET", "/apps/1/channels/presence-lobby/users", Map.of(), null).getJsonArray("users").stream()
                .map(u -> ((JsonObject) u).getString("id")).toList()).containsExactlyInAnyOrder("ann", "ben");
    }

    @Test
    void occupied_vacated_and_subscription_count_are_sent_once_for_the_cluster() {
        TestServer a = node("a");
        TestServer b = node("b");
        Client onA = connect(a);
        Client onB = connect(b);
        subscribe(onA, "hooked");
        subscribe(onB, "hooked");
        // every subscriber, on either node, reads the cluster's count
        Awaitility.await().atMost(WsClient.WAIT).until(() -> onA.all("pusher_internal:subscription_count").stream()
                .anyMatch(d -> d.getInteger("subscription_count") == 2));
        Awaitility.await().atMost(WsClient.WAIT).until(() -> onB.all("pusher_internal:subscription_count").stream()
                .anyMatch(d -> d.getInteger("subscription_count") == 2));

        leave(onA, "hooked");
        leave(onB, "hooked");
        Awaitility.await().atMost(WsClient.WAIT).until(() -> webhooks("channel_vacated", "hooked").size() == 1);
        Awaitility.await().during(Duration.ofMillis(1500)).atMost(WsClient.WAIT).until(() ->
                webhooks("channel_occupied", "hooked").size() == 1 && webhooks("channel_vacated", "hooked").size() == 1);
        // one subscription_count webhook per change (two joins and two leaves at most, debounced), never one per node
        assertThat(webhooks("subscription_count", "hooked")).hasSizeBetween(2, 4);
        assertThat(webhooks("subscription_count", "hooked").getLast().getInteger("subscription_count")).isZero();
    }

    @Test
    void a_cache_channels_last_event_is_replayed_on_subscribe_on_any_node() {
        TestServer a = node("a");
        TestServer b = node("b");
        trigger(a, "cache-prices", "price", "{\"eur\":1}"); // no subscriber anywhere yet
        Client onB = connect(b);
        subscribe(onB, "cache-prices");
        assertThat(onB.await("price", "cache-prices").getString("data")).isEqualTo("{\"eur\":1}");
        assertThat(api(b, "GET", "/apps/1/channels/cache-prices", Map.of("info", "cache"), null).getJsonObject("cache"))
                .isEqualTo(new JsonObject().put("event", "price").put("data", "{\"eur\":1}"));
        Client missOnA = connect(a);
        subscribe(missOnA, "cache-empty");
        missOnA.await("pusher:cache_miss", "cache-empty");
    }

    @Test
    void client_events_cross_nodes_and_terminate_connections_closes_the_user_on_every_node() {
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c");
        Client onA = connect(a);
        Client onB = connect(b);
        subscribe(onA, "private-chat");
        subscribe(onB, "private-chat");
        onA.ws().send(new JsonObject().put("event", "client-typing").put("channel", "private-chat").put("data", new JsonObject().put("who", "a")).encode());
        assertThat(new JsonObject(onB.await("client-typing", "private-chat").getString("data"))).isEqualTo(new JsonObject().put("who", "a"));
        trigger(c, "private-chat", "marker", "1");
        onA.await("marker", "private-chat");
        assertThat(onA.all("client-typing")).as("never echoed to the sender").isEmpty();

        signIn(onA, "zoe");
        signIn(onB, "zoe");
        Awaitility.await().atMost(WsClient.WAIT).until(() ->
                new JsonObject(c.http().get("/api/v1/users/zoe").body()).getJsonArray("connections").size() == 2);
        api(c, "POST", "/apps/1/users/zoe/terminate_connections", Map.of(), "{}");
        assertThat(onA.ws().awaitClose()).isEqualTo(4009);
        assertThat(onB.ws().awaitClose()).isEqualTo(4009);
    }

    @Test
    void a_node_that_dies_loses_its_members_and_subscriptions_within_node_ttl_and_a_heartbeat() {
        TestServer a = node("a");
        TestServer b = node("b");
        Client bobOnA = connect(a);
        join(bobOnA, "presence-room", "bob");
        Client carlOnB = connect(b);
        join(carlOnB, "presence-room", "carl");
        bobOnA.await("pusher_internal:member_added", "presence-room");
        Awaitility.await().atMost(WsClient.WAIT).until(() ->
                api(a, "GET", "/apps/1/channels/presence-room", Map.of("info", "subscription_count"), null).getInteger("subscription_count") == 2);

        long halted = System.nanoTime();
        b.server().halt();
        JsonObject removed = bobOnA.await("pusher_internal:member_removed", "presence-room");
        long millis = (System.nanoTime() - halted) / 1_000_000;
        assertThat(new JsonObject(removed.getString("data")).getString("user_id")).isEqualTo("carl");
        // node-ttl 500 ms + one heartbeat 100 ms, with room for a busy machine
        assertThat(millis).as("member_removed after the halt, ms").isLessThan(3000);
        assertThat(api(a, "GET", "/apps/1/channels/presence-room", Map.of("info", "subscription_count,user_count"), null))
                .isEqualTo(new JsonObject().put("occupied", true).put("subscription_count", 1).put("user_count", 1));
        Awaitility.await().atMost(WsClient.WAIT).until(() -> webhooks("member_removed", "presence-room").size() == 1);
    }

    private List<String> users(TestServer node, String channel) {
        return api(node, "GET", "/apps/1/channels/" + channel + "/users", Map.of(), null).getJsonArray("users").stream()
                .map(u -> ((JsonObject) u).getString("id")).sorted().toList();
    }

    @Test
    void a_node_cut_off_from_redis_is_reaped_and_writes_its_members_again_when_it_is_back() throws Exception {
        ToxicProxy redisForB = cluster.closeLater(new ToxicProxy(TestCluster.REDIS.getHost(), TestCluster.REDIS.getPort()));
        TestServer a = node("a");
        TestServer b = node("b", redisForB.port());
        Client bobOnA = connect(a);
        join(bobOnA, "presence-room", "bob");
        join(connect(b), "presence-room", "dave");
        Client carlOnB = connect(b);
        join(carlOnB, "presence-room", "carl");
        Awaitility.await().atMost(WsClient.WAIT).until(() -> users(a, "presence-room").equals(List.of("bob", "carl", "dave")));

        redisForB.cut(); // b's heartbeat stops: a reaps it as it would a dead node
        Awaitility.await().atMost(WsClient.WAIT).until(() -> bobOnA.all("pusher_internal:member_removed").size() == 2);
        assertThat(users(a, "presence-room")).containsExactly("bob");
        leave(carlOnB, "presence-room"); // while b cannot write it

        redisForB.restore();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> users(a, "presence-room").equals(List.of("bob", "dave")));
        Awaitility.await().atMost(WsClient.WAIT).until(() ->
                api(a, "GET", "/apps/1/channels/presence-room", Map.of("info", "subscription_count"), null).getInteger("subscription_count") == 2);
    }

    @Test
    void max_presence_members_counts_the_clusters_members() {
        TestServer a = node("a", TestCluster.REDIS.getPort(), Map.of(Setting.PUSHER_MAX_PRESENCE_MEMBERS, "2"));
        TestServer b = node("b", TestCluster.REDIS.getPort(), Map.of(Setting.PUSHER_MAX_PRESENCE_MEMBERS, "2"));
        Client ann = connect(a);
        join(ann, "presence-small", "ann");
        join(connect(a), "presence-small", "ben");

        Client cid = connect(b); // b holds no member yet: only the cluster's count refuses
        String channelData = new JsonObject().put("user_id", "cid").encode();
        cid.ws().send(new JsonObject().put("event", "pusher:subscribe").put("data", new JsonObject().put("channel", "presence-small")
                .put("auth", KEY + ":" + SIGNATURES.sign(PusherSignatures.presenceText(cid.socketId(), "presence-small", channelData)))
                .put("channel_data", channelData)).encode());
        assertThat(cid.await("pusher:subscription_error", "presence-small").getJsonObject("data").getInteger("status")).isEqualTo(403);
        assertThat(join(connect(b), "presence-small", "ann").getInteger("count")).as("a member's second connection fits").isEqualTo(2);

        trigger(a, "presence-small", "marker", "1");
        ann.await("marker", "presence-small");
        assertThat(ann.all("pusher_internal:member_added")).extracting(d -> d.getString("user_id")).containsExactly("ben");
        assertThat(ann.all("pusher_internal:member_removed")).isEmpty();
        assertThat(users(b, "presence-small")).containsExactly("ann", "ben");
        assertThat(api(b, "GET", "/apps/1/channels/presence-small", Map.of("info", "subscription_count"), null).getInteger("subscription_count")).isEqualTo(3);
    }
}
