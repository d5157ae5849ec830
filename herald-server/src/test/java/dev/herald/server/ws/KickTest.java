package dev.herald.server.ws;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** DELETE /api/v1/users/{uid}/connections closes connections with 4004. */
class KickTest {
    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }

    private JsonObject presence(String uid) {
        return new JsonObject(server.http().get("/api/v1/users/" + uid).body());
    }

    @Test
    void kicking_a_user_closes_all_its_connections_with_4004_and_counts_them() {
        WsClient a = server.connectHerald("eve");
        WsClient b = server.connectHerald("eve");
        WsClient c = server.connectSeed("eve");
        WsClient bystander = server.connectHerald("frank");

        Http.Response response = server.http().delete("/api/v1/users/eve/connections");

        assertThat(response.status()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getInteger("disconnected")).isEqualTo(3);
        assertThat(a.awaitClose()).isEqualTo(4004);
        assertThat(b.awaitClose()).isEqualTo(4004);
        assertThat(c.awaitClose()).isEqualTo(4004);
        JsonObject presence = presence("eve");
        assertThat(presence.getBoolean("online")).isFalse();
        assertThat(presence.getJsonArray("connections")).isEmpty();
        assertThat(server.http().get("/send?uid=eve&message=x&persist=false").status()).isEqualTo(404);
        assertThat(bystander.isClosed()).isFalse();
        assertThat(presence("frank").getBoolean("online")).isTrue();
    }

    @Test
    void kicking_one_connection_by_id_closes_only_that_one() {
        WsClient a = server.connectHerald("eve");
        WsClient b = server.connectHerald("eve");
        String idOfA = new JsonObject(a.awaitFrame(f -> f.contains("welcome"))).getString("connection");

        Http.Response response = server.http().delete("/api/v1/users/eve/connections?connection=" + idOfA);

        assertThat(new JsonObject(response.body()).getInteger("disconnected")).isEqualTo(1);
        assertThat(a.awaitClose()).isEqualTo(4004);
        JsonObject presence = presence("eve");
        assertThat(presence.getJsonArray("connections")).hasSize(1);
        assertThat(presence.getJsonArray("connections").getJsonObject(0).getString("id")).isNotEqualTo(idOfA);
        assertThat(server.http().get("/send?uid=eve&message=still").body()).contains("\"delivered\":1");
        b.awaitFrame(f -> f.contains("still"));
        assertThat(b.isClosed()).isFalse();
    }

    @Test
    void kicking_an_unknown_connection_id_or_an_offline_user_disconnects_nothing() {
        WsClient a = server.connectHerald("eve");

        assertThat(server.http().delete("/api/v1/users/eve/connections?connection=nope").body()).contains("\"disconnected\":0");
        assertThat(server.http().delete("/api/v1/users/ghost/connections").body()).contains("\"disconnected\":0");

        assertThat(a.isClosed()).isFalse();
        assertThat(presence("eve").getBoolean("online")).isTrue();
    }

    @Test
    void the_kicked_user_is_offline_at_once_even_before_the_close_handshake_finishes() {
        WsClient a = server.connectHerald("eve");
        a.stopReading(); // does not read the close frame (yet)

        server.http().delete("/api/v1/users/eve/connections");

        assertThat(presence("eve").getBoolean("online")).isFalse();
        assertThat(server.server().hub().connectionCount()).isZero();
        a.resumeReading();
        assertThat(a.awaitClose()).isEqualTo(4004);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().hub().userCount() == 0);
    }
}
