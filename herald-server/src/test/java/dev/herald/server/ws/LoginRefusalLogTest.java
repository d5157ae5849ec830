package dev.herald.server.ws;

import ch.qos.logback.classic.Level;
import dev.herald.core.connection.ClientConnection;
import dev.herald.server.testing.LogCapture;
import dev.herald.server.testing.RawWebSocket;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/configuration.md: at DEBUG every refused login is logged with its reason, client values escaped. */
class LoginRefusalLogTest {
    private TestServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    private void refusedWith(String query, byte[] firstFrame, int closeCode, LogCapture logs, String reason) {
        try (RawWebSocket ws = RawWebSocket.connect(server.wsUri(query))) {
            if (firstFrame != null) {
                ws.send(firstFrame);
            }
            assertThat(ws.awaitCloseCode()).isEqualTo(closeCode);
        }
        Awaitility.await().atMost(WsClient.WAIT).untilAsserted(() -> assertThat(logs.events(Level.DEBUG))
                .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("login refused with " + closeCode).contains(reason)));
    }

    @Test
    void invalid_and_empty_uids_and_a_non_json_first_frame_are_logged_at_debug_with_their_reason() {
        server = TestServer.devMode(Map.of());
        try (LogCapture logs = LogCapture.of(ClientConnection.class, Level.DEBUG)) {
            refusedWith(null, RawWebSocket.text("{\"uid\":\"\"}"), 4001, logs, "empty uid");
            refusedWith(null, RawWebSocket.text("{\"uid\":\"evil\\nFAKE LOG LINE\"}"), 4001, logs, "invalid uid 'evil\\nFAKE LOG LINE'");
            refusedWith("uid=a%0Db", null, 4001, logs, "invalid uid 'a\\rb'");
            refusedWith(null, RawWebSocket.text("hello"), 4006, logs, "first frame is not a login frame");
            refusedWith(null, RawWebSocket.text("{\"type\":\"subscribe\"}"), 4001, logs, "sent \"subscribe\" before logging in");

            assertThat(logs.messages()).noneMatch(m -> m.chars().anyMatch(Character::isISOControl));
        }
    }

    @Test
    void a_refused_token_and_a_uid_login_under_auth_are_logged_at_debug_with_their_reason() {
        server = TestServer.withAuth(Map.of());
        try (LogCapture logs = LogCapture.of(ClientConnection.class, Level.DEBUG)) {
            refusedWith("token=not-a-jwt", null, 4001, logs, "token refused");
            refusedWith(null, RawWebSocket.text("{\"uid\":\"42\"}"), 4003, logs, "uid login while authentication is configured");
        }
    }
}
