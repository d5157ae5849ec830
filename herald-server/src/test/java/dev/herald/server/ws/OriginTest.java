package dev.herald.server.ws;

import ch.qos.logback.classic.Level;
import dev.herald.server.net.OriginRefusals;
import dev.herald.server.config.Setting;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.LogCapture;
import dev.herald.server.testing.RawWebSocket;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.Tokens;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With the README's production setting ({@code ws.allowed-origins https://app.example.com}) the server's own page
 * still connects; a refused origin can ask {@code GET /ws/origin} why, and the log names the setting, once per
 * interval however many upgrades are refused.
 */
class OriginTest {
    private final TestServer server = TestServer.withAuth(Map.of(Setting.WS_ALLOWED_ORIGINS, "https://app.example.com"));

    @AfterEach
    void stop() {
        server.close();
    }

    private String ownOrigin() {
        return "http://127.0.0.1:" + server.port();
    }

    @Test
    void the_servers_own_origin_may_connect_whatever_the_allow_list_holds() {
        WsClient client = WsClient.connect(server.wsUri("token=" + Tokens.hs256("page")), Map.of("Origin", ownOrigin()));

        client.awaitFrame(f -> f.contains("\"type\":\"welcome\""));
        client.close();
    }

    @Test
    void ws_origin_tells_a_page_whether_its_origin_is_allowed_and_which_setting_decides() {
        Http http = server.http().anonymous();

        Http.Response refused = http.send(http.request("/ws/origin").header("Origin", "https://evil.example").GET());
        Http.Response listed = http.send(http.request("/ws/origin").header("Origin", "https://app.example.com").GET());
        Http.Response own = http.send(http.request("/ws/origin").header("Origin", ownOrigin()).GET());
        // browsers send no Origin on a same-origin GET: the page names its own
        Http.Response named = http.get("/ws/origin?origin=https%3A%2F%2Fevil.example");

        assertThat(refused.status()).isEqualTo(200);
        assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        JsonObject answer = new JsonObject(refused.body());
        assertThat(answer.getBoolean("allowed")).isFalse();
        assertThat(answer.getString("setting")).isEqualTo("ws.allowed-origins");
        assertThat(refused.body()).doesNotContain("evil");
        assertThat(new JsonObject(listed.body()).getBoolean("allowed")).isTrue();
        assertThat(new JsonObject(own.body()).getBoolean("allowed")).isTrue();
        assertThat(new JsonObject(named.body()).getBoolean("allowed")).isFalse();
    }

    @Test
    void refused_origins_are_logged_at_warn_naming_the_setting_once_per_interval() {
        try (LogCapture logs = LogCapture.of(OriginRefusals.class, Level.INFO)) {
            for (int i = 0; i < 5; i++) {
                String origin = "https://evil" + i + ".example";
                Http.Response r = RawWebSocket.refusedUpgrade(server.wsUri(null),
                        req -> req.replace("Upgrade: websocket", "Origin: " + origin + "\r\nUpgrade: websocket"));
                assertThat(r.errorCode()).isEqualTo("origin_not_allowed");
            }

            assertThat(logs.events(Level.WARN)).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                    .contains("https://evil0.example").contains("ws.allowed-origins"));
        }
    }
}
