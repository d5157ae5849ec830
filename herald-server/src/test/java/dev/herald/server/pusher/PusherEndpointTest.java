package dev.herald.server.pusher;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Pusher WebSocket at the frame level, against a real server on port 0 with a plain WebSocket client: what
 * pusher-js relies on without showing it (double-encoded data, close codes, refusals as frames). The npm packages
 * themselves are driven by {@link PusherCompatIT}.
 */
class PusherEndpointTest {
    private static final String KEY = "test-key";
    private static final PusherSignatures SIGNATURES = new PusherSignatures(KEY, "test-secret-123");
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.devMode(Map.of(Setting.PUSHER_APP_ID, "1", Setting.PUSHER_KEY, KEY,
                Setting.PUSHER_SECRET, "test-secret-123", Setting.PUSHER_ACTIVITY_TIMEOUT, "30s"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private WsClient connect(String key, String query) {
        return WsClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/app/" + key + query), Map.of());
    }

    private static JsonObject frame(WsClient client, String event) {
        return new JsonObject(client.awaitFrame(f -> event.equals(new JsonObject(f).getString("event"))));
    }

    /** Connects and returns the socket id from connection_established. */
    private static String socketId(WsClient client) {
        return new JsonObject(frame(client, "pusher:connection_established").getString("data")).getString("socket_id");
    }

    @Test
    void connection_established_carries_socket_id_and_activity_timeout_as_a_json_string() {
        WsClient client = connect(KEY, "?protocol=7&client=js&version=8.6.0");
        Object data = frame(client, "pusher:connection_established").getValue("data");
        assertThat(data).isInstanceOf(String.class);
        JsonObject established = new JsonObject((String) data);
        assertThat(established.getString("socket_id")).matches("\\d+\\.\\d+");
        assertThat(established.getInteger("activity_timeout")).isEqualTo(30);
    }

    @Test
    void metrics_count_pusher_connections_apart_from_herald_ones() {
        server.connectHerald("w");
        WsClient pusher = connect(KEY, "?protocol=7");
        socketId(pusher);

        assertThat(openConnections("pusher")).isEqualTo(1.0);
        assertThat(openConnections("websocket")).isEqualTo(1.0);

        pusher.close();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> openConnections("pusher") == 0.0);
        assertThat(openConnections("websocket")).isEqualTo(1.0);
    }

    private double openConnections(String transport) {
        return server.http().get("/metrics").metric("herald_connections_open{transport=\"" + transport + "\"}");
    }

    @Test
    void a_ping_is_answered_with_a_pong() {
        WsClient client = connect(KEY, "?protocol=7");
        socketId(client);
        client.send("{\"event\":\"pusher:ping\",\"data\":{}}");
        assertThat(frame(client, "pusher:pong").getString("data")).isEqualTo("{}");
    }

    @Test
    void an_unknown_app_key_is_refused_with_4001() {
        WsClient client = connect("wrong-key", "?protocol=7");
        assertThat(frame(client, "pusher:error").getJsonObject("data").getInteger("code")).isEqualTo(4001);
        assertThat(client.awaitClose()).isEqualTo(4001);
    }

    @Test
    void an_old_or_missing_protocol_is_refused_with_4007() {
        assertThat(connect(KEY, "?protocol=4").awaitClose()).isEqualTo(4007);
        assertThat(connect(KEY, "").awaitClose()).isEqualTo(4007);
    }

    @Test
    void a_private_channel_needs_the_apps_signature_of_this_socket_and_channel() {
        WsClient client = connect(KEY, "?protocol=7");
        String socketId = socketId(client);
        String forged = KEY + ":" + SIGNATURES.sign(PusherSignatures.channelText("1.1", "private-a"));
        client.send(subscribe("private-a", forged));
        JsonObject error = frame(client, "pusher:subscription_error");
        assertThat(error.getString("channel")).isEqualTo("private-a");
        assertThat(error.getJsonObject("data").getInteger("status")).isEqualTo(401);

        client.send(subscribe("private-a", KEY + ":" + SIGNATURES.sign(PusherSignatures.channelText(socketId, "private-a"))));
        assertThat(frame(client, "pusher_internal:subscription_succeeded").getString("channel")).isEqualTo("private-a");
    }

    @Test
    void a_presence_subscription_lists_ids_hash_and_count_in_a_json_string() {
        WsClient client = connect(KEY, "?protocol=7");
        String socketId = socketId(client);
        String channelData = "{\"user_id\":7,\"user_info\":{\"name\":\"Ann\"}}";
        String auth = KEY + ":" + SIGNATURES.sign(PusherSignatures.presenceText(socketId, "presence-r", channelData));
        client.send(new JsonObject().put("event", "pusher:subscribe").put("data", new JsonObject().put("channel", "presence-r")
                .put("auth", auth).put("channel_data", channelData)).encode());
        JsonObject data = new JsonObject(frame(client, "pusher_internal:subscription_succeeded").getString("data"));
        assertThat(data.getJsonObject("presence")).isEqualTo(new JsonObject()
                .put("ids", new io.vertx.core.json.JsonArray().add("7"))
                .put("hash", new JsonObject().put("7", new JsonObject().put("name", "Ann")))
                .put("count", 1));
    }

    @Test
    void only_the_signed_in_user_may_subscribe_its_server_to_user_channel_and_herald_publishes_reach_it() {
        WsClient client = connect(KEY, "?protocol=7");
        String socketId = socketId(client);
        client.send(subscribe("#server-to-user-7", null));
        assertThat(frame(client, "pusher:subscription_error").getJsonObject("data").getInteger("status")).isEqualTo(403);

        String userData = "{\"id\":\"7\"}";
        client.send(new JsonObject().put("event", "pusher:signin").put("data", new JsonObject()
                .put("auth", KEY + ":" + SIGNATURES.sign(PusherSignatures.userText(socketId, userData))).put("user_data", userData)).encode());
        assertThat(new JsonObject(frame(client, "pusher:signin_success").getString("data")).getString("user_data")).isEqualTo(userData);
        client.send(subscribe("#server-to-user-7", null));
        assertThat(frame(client, "pusher_internal:subscription_succeeded").getString("channel")).isEqualTo("#server-to-user-7");
        JsonObject presence = new JsonObject(server.http().get("/api/v1/users/7").body());
        assertThat(presence.getJsonArray("connections").getJsonObject(0).getString("protocol")).isEqualTo("pusher");
        assertThat(presence.getJsonArray("connections").getJsonObject(0).getString("id")).isEqualTo(socketId);

        String id = server.publishToUser("7", "{\"event\":\"invoice\",\"data\":\"{\\\"n\\\":1}\"}");
        JsonObject event = frame(client, "invoice");
        assertThat(event.getString("channel")).isEqualTo("#server-to-user-7");
        assertThat(event.getString("data")).isEqualTo("{\"n\":1}");
        // a durable Herald message written to a Pusher connection is a delivery in its receipt
        org.awaitility.Awaitility.await().atMost(WsClient.WAIT)
                .until(() -> "delivered".equals(server.recipient(id, "7").getString("status")));
    }

    @Test
    void a_pusher_connection_takes_a_slot_of_ws_max_connections() {
        server.close();
        server = TestServer.devMode(Map.of(Setting.PUSHER_APP_ID, "1", Setting.PUSHER_KEY, KEY,
                Setting.PUSHER_SECRET, "test-secret-123", Setting.WS_MAX_CONNECTIONS, "1"));
        WsClient first = connect(KEY, "?protocol=7");
        socketId(first);
        Throwable refused = WsClient.connectFailure(URI.create("ws://127.0.0.1:" + server.port() + "/app/" + KEY + "?protocol=7"), Map.of());
        assertThat(refused).as("the second upgrade").isNotNull().hasStackTraceContaining("status code 503");
        first.send("{\"event\":\"pusher:ping\",\"data\":{}}");
        frame(first, "pusher:pong");
    }

    @Test
    void a_message_over_ws_max_message_size_is_closed_with_1009_as_on_ws() {
        WsClient client = connect(KEY, "?protocol=7");
        socketId(client);
        client.sendFragments("{\"event\":\"pusher:ping\",\"data\":\"" + "x".repeat(64 * 1024), "\"}");
        assertThat(client.awaitClose()).isEqualTo(1009);
        assertThat(client.frames()).noneMatch(f -> f.contains("pusher:error"));
    }

    @Test
    void a_sign_in_with_a_bad_signature_is_closed_with_4009() {
        WsClient client = connect(KEY, "?protocol=7");
        socketId(client);
        client.send("{\"event\":\"pusher:signin\",\"data\":{\"auth\":\"" + KEY + ":00\",\"user_data\":\"{\\\"id\\\":\\\"7\\\"}\"}}");
        assertThat(client.awaitClose()).isEqualTo(4009);
    }

    @Test
    void client_events_are_refused_on_public_channels() {
        WsClient client = connect(KEY, "?protocol=7");
        socketId(client);
        client.send(subscribe("public-room", null));
        frame(client, "pusher_internal:subscription_succeeded");
        client.send("{\"event\":\"client-x\",\"channel\":\"public-room\",\"data\":{}}");
        assertThat(frame(client, "pusher:error").getJsonObject("data").getString("message")).contains("private and presence");
    }

    @Test
    void a_connection_silent_for_twice_the_activity_timeout_is_closed_with_4201() {
        server.close();
        server = TestServer.devMode(Map.of(Setting.PUSHER_APP_ID, "1", Setting.PUSHER_KEY, KEY,
                Setting.PUSHER_SECRET, "test-secret-123", Setting.PUSHER_ACTIVITY_TIMEOUT, "1s"));
        WsClient client = connect(KEY, "?protocol=7");
        socketId(client);
        assertThat(client.awaitClose()).isEqualTo(4201);
    }

    @Test
    void a_server_shutting_down_tells_pusher_clients_to_reconnect_with_4200() {
        WsClient client = connect(KEY, "?protocol=7");
        socketId(client);
        server.close();
        assertThat(client.awaitClose()).isEqualTo(4200);
    }

    private static String subscribe(String channel, String auth) {
        JsonObject data = new JsonObject().put("channel", channel);
        if (auth != null) {
            data.put("auth", auth);
        }
        return new JsonObject().put("event", "pusher:subscribe").put("data", data).encode();
    }
}
