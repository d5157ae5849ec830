package dev.herald.server.ws;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.RawWebSocket;
import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Frames that arrive in one TCP read are handled in order and each answered as docs/protocol.md says, even when
 * one of them closes the connection: the answers to those before it go out before the close frame.
 */
class FramesInOneReadTest {
    private final TestServer server = TestServer.devMode(Map.of());

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void eleven_invalid_frames_in_one_write_get_ten_error_frames_then_4006() {
        try (RawWebSocket ws = server.loginRaw("sloppy")) {
            byte[][] frames = new byte[11][];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = RawWebSocket.text("{\"type\":\"nonsense\",\"ref\":\"r" + i + "\"}");
            }

            ws.send(frames);

            List<RawWebSocket.Frame> answers = ws.readUntilClose();
            assertThat(answers.getLast().closeCode()).isEqualTo(4006);
            List<String> errors = answers.subList(0, answers.size() - 1).stream().map(RawWebSocket.Frame::text).toList();
            assertThat(errors).hasSize(10).allMatch(f -> f.contains("\"type\":\"error\""));
            assertThat(errors.getFirst()).contains("\"ref\":\"r0\"");
            assertThat(errors.getLast()).contains("\"ref\":\"r9\"");
        }
    }

    @Test
    void a_ping_and_a_binary_frame_in_one_write_get_the_pong_then_1003() {
        try (RawWebSocket ws = server.loginRaw("binary")) {
            ws.send(RawWebSocket.frame(true, 0, RawWebSocket.PING, "hb".getBytes(StandardCharsets.UTF_8)),
                    RawWebSocket.frame(true, 0, RawWebSocket.BINARY, new byte[] {1, 2, 3}));

            List<RawWebSocket.Frame> answers = ws.readUntilClose();
            assertThat(answers).hasSize(2);
            assertThat(answers.getFirst().opcode()).isEqualTo(RawWebSocket.PONG);
            assertThat(answers.getFirst().text()).isEqualTo("hb");
            assertThat(answers.getLast().closeCode()).isEqualTo(1003);
        }
    }

    @Test
    void a_protocol_ping_and_a_binary_frame_in_one_write_get_the_pong_frame_then_1003() {
        try (RawWebSocket ws = server.loginRaw("json-ping")) {
            ws.send(RawWebSocket.text("{\"type\":\"ping\",\"ref\":\"p1\"}"),
                    RawWebSocket.frame(true, 0, RawWebSocket.BINARY, new byte[] {1}));

            List<RawWebSocket.Frame> answers = ws.readUntilClose();
            assertThat(answers).hasSize(2);
            assertThat(answers.getFirst().text()).contains("\"type\":\"pong\"").contains("\"ref\":\"p1\"");
            assertThat(answers.getLast().closeCode()).isEqualTo(1003);
        }
    }
}
