package dev.herald.server.ws;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Oversized, malformed, unknown and binary frames: documented close codes or error frames. */
class FrameLimitsTest {
    private final TestServer server = TestServer.devMode(Map.of(Setting.WS_MAX_MESSAGE_SIZE, "1KiB"));

    @AfterEach
    void stop() {
        server.close();
    }

    private void assertServerStillServes() {
        WsClient other = server.connectHerald("bystander");
        assertThat(server.http().get("/send?uid=bystander&message=still-here").status()).isEqualTo(200);
        other.awaitFrame(f -> f.contains("still-here"));
    }

    @Test
    void a_text_message_larger_than_the_limit_closes_with_1009() {
        WsClient client = server.connectHerald("big");

        client.send("{\"type\":\"ping\",\"ref\":\"" + "x".repeat(2_000) + "\"}");

        assertThat(client.awaitClose()).isEqualTo(1009);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().hub().sessions("big").isEmpty());
        assertServerStillServes();
    }

    @Test
    void a_message_over_the_limit_in_small_fragments_closes_with_1009() {
        WsClient client = server.connectHerald("fragments");
        String part = "x".repeat(600);

        client.sendFragments("{\"type\":\"ping\",\"ref\":\"" + part, part, part + "\"}");

        assertThat(client.awaitClose()).isEqualTo(1009);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().hub().sessions("fragments").isEmpty());
    }

    @Test
    void an_oversized_login_frame_closes_with_1009_too() {
        WsClient client = server.connect();

        client.send("{\"uid\":\"" + "1".repeat(2_000) + "\"}");

        assertThat(client.awaitClose()).isEqualTo(1009);
        assertThat(server.server().hub().connectionCount()).isZero();
    }

    @Test
    void a_message_just_under_the_limit_is_accepted() {
        WsClient client = server.connectHerald("fits");
        String frame = "{\"type\":\"ping\",\"ref\":\"" + "x".repeat(900) + "\"}";
        assertThat(frame.length()).isLessThan(1024);

        client.send(frame);

        client.awaitFrame(f -> f.startsWith("{\"type\":\"pong\""));
        assertThat(client.isClosed()).isFalse();
    }

    @Test
    void malformed_json_after_auth_gets_an_error_frame_and_the_connection_stays_usable() {
        WsClient client = server.connectHerald("sloppy");

        client.send("{\"type\": ");

        client.awaitFrame(f -> f.contains("\"code\":\"invalid_json\""));
        client.send("{\"type\":\"ping\",\"ref\":\"after\"}");
        assertThat(client.awaitFrame(f -> f.contains("pong"))).isEqualTo("{\"type\":\"pong\",\"ref\":\"after\"}");
        assertThat(client.isClosed()).isFalse();
        assertThat(server.server().hub().sessions("sloppy")).hasSize(1);
    }

    @Test
    void an_unknown_type_gets_an_unknown_type_error_frame() {
        WsClient client = server.connectHerald("curious");

        client.send("{\"type\":\"teleport\",\"ref\":\"t1\"}");

        String error = client.awaitFrame(f -> f.contains("\"type\":\"error\""));
        assertThat(error).contains("\"code\":\"unknown_type\"").contains("\"ref\":\"t1\"");
        assertThat(client.isClosed()).isFalse();
    }

    @Test
    void a_binary_frame_closes_with_1003() {
        WsClient client = server.connectHerald("binary");

        client.sendBinary(new byte[] {1, 2, 3});

        assertThat(client.awaitClose()).isEqualTo(1003);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().hub().sessions("binary").isEmpty());
        assertServerStillServes();
    }

    @Test
    void eleven_bad_frames_close_with_4006_after_ten_error_frames() {
        WsClient client = server.connectHerald("noisy");

        for (int i = 0; i < 10; i++) {
            client.send("not json " + i);
        }
        client.awaitFrameCount(f -> f.contains("\"type\":\"error\""), 10);
        assertThat(client.isClosed()).isFalse();

        client.send("not json 11");

        assertThat(client.awaitClose()).isEqualTo(4006);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().hub().sessions("noisy").isEmpty());
        assertServerStillServes();
    }

    @Test
    void a_malformed_frame_before_auth_closes_with_4006() {
        WsClient client = server.connect();

        client.send("hello?");

        assertThat(client.awaitClose()).isEqualTo(4006);
        assertThat(client.frames()).isEmpty();
        assertServerStillServes();
    }
}
