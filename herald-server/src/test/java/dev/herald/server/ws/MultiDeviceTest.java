package dev.herald.server.ws;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One user, several connections (tabs, devices), mixing the seed and Herald protocols. */
@Tag(TestServer.EVENT_LOOPS_TAG)
class MultiDeviceTest {
    private static final String ENVELOPE = "\\{\"type\":\"message\",\"id\":\"[0-9A-HJKMNP-TV-Z]{26}\",\"ts\":\\d{13},\"pos\":\\d+,\"epoch\":\"[0-9a-f]{8}\",\"data\":%s}";

    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void every_connection_of_the_user_gets_a_seed_send_in_its_own_protocol() {
        WsClient seed = server.connectSeed("ann");
        WsClient phone = server.connectHerald("ann");
        WsClient laptop = server.connectHerald("ann");
        WsClient stranger = server.connectHerald("bob");

        Http.Response response = server.http().get("/send?uid=ann&message=Hello%20World");

        assertThat(response.status()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getInteger("delivered")).isEqualTo(3);
        assertThat(seed.awaitFrame(f -> true)).isEqualTo("Hello World");
        String id = new JsonObject(response.body()).getString("id");
        for (WsClient herald : List.of(phone, laptop)) {
            String envelope = herald.awaitFrame(f -> f.contains("\"type\":\"message\""));
            assertThat(envelope).matches(String.format(ENVELOPE, "\"Hello World\""));
            assertThat(new JsonObject(envelope).getString("id")).isEqualTo(id);
        }
        assertThat(stranger.framesContaining("\"type\":\"message\"")).isEmpty();
    }

    @Test
    void every_connection_of_the_user_gets_a_json_api_message_once() {
        WsClient seed = server.connectSeed("ann");
        WsClient phone = server.connectHerald("ann");
        WsClient laptop = server.connectHerald("ann");

        Http.Response response = server.http().postJson("/api/v1/messages",
                "{\"to\":{\"users\":[\"ann\",\"ann\"]},\"data\":{\"order\":42,\"state\":\"shipped\"}}");

        assertThat(response.status()).isEqualTo(200);
        JsonObject body = new JsonObject(response.body());
        assertThat(body.getInteger("delivered")).isEqualTo(3);
        assertThat(seed.awaitFrame(f -> true)).isEqualTo("{\"order\":42,\"state\":\"shipped\"}");
        for (WsClient herald : List.of(phone, laptop)) {
            String envelope = herald.awaitFrame(f -> f.contains("\"type\":\"message\""));
            assertThat(envelope).matches(String.format(ENVELOPE, "\\{\"order\":42,\"state\":\"shipped\"}"));
            JsonObject parsed = new JsonObject(envelope);
            assertThat(parsed.getString("id")).isEqualTo(body.getString("id"));
            assertThat(parsed.getJsonObject("data")).isEqualTo(new JsonObject().put("order", 42).put("state", "shipped"));
        }
        // duplicated user in "to" still delivers once per connection
        server.http().get("/send?uid=ann&message=after");
        seed.awaitFrame("after"::equals);
        phone.awaitFrame(f -> f.contains("\"after\""));
        assertThat(seed.frames()).hasSize(2);
        assertThat(phone.framesContaining("\"type\":\"message\"")).hasSize(2);
    }

    @Test
    void presence_lists_every_connection_with_its_protocol() {
        server.connectSeed("ann");
        server.connectHerald("ann");
        server.connectHerald("ann");

        JsonObject presence = new JsonObject(server.http().get("/api/v1/users/ann").body());

        assertThat(presence.getBoolean("online")).isTrue();
        assertThat(presence.getJsonArray("connections").stream().map(c -> ((JsonObject) c).getString("protocol")))
                .containsExactlyInAnyOrder("seed", "herald", "herald");
    }

    @Test
    void a_closed_device_stops_receiving_while_the_others_continue() {
        WsClient phone = server.connectHerald("ann");
        WsClient laptop = server.connectHerald("ann");

        phone.close();
        org.awaitility.Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().hub().sessions("ann").size() == 1);
        Http.Response response = server.http().get("/send?uid=ann&message=only-laptop");

        assertThat(response.body()).contains("\"delivered\":1");
        laptop.awaitFrame(f -> f.contains("only-laptop"));
        assertThat(phone.framesContaining("only-laptop")).isEmpty();
    }
}
