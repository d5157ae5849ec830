package dev.herald.server.ws;

import dev.herald.core.session.CloseReason;
import dev.herald.server.config.Setting;
import dev.herald.server.testing.RawWebSocket;
import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A peer that pings without reading costs at most its send queue: pongs wait in the bounded queue like every
 * other frame, and a ping flood is closed with 4029.
 */
class PingFloodTest {
    private TestServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void a_ping_flood_is_closed_with_4029_after_at_most_the_allowed_pongs() {
        server = TestServer.devMode(Map.of());
        try (RawWebSocket ws = server.loginRaw("flooder")) {
            byte[][] pings = new byte[WebSocketOptions.MAX_PINGS_PER_WINDOW * 3][];
            for (int i = 0; i < pings.length; i++) {
                pings[i] = RawWebSocket.frame(true, 0, RawWebSocket.PING, new byte[0]);
            }

            ws.send(pings); // and reads nothing until it is all sent

            List<RawWebSocket.Frame> answers = ws.readUntilClose();
            assertThat(answers.getLast().closeCode()).isEqualTo(CloseReason.TOO_MANY_PINGS.code()).isEqualTo(4029);
            assertThat(answers.subList(0, answers.size() - 1)).filteredOn(f -> f.opcode() != RawWebSocket.PING) // the heartbeat
                    .hasSizeLessThanOrEqualTo(WebSocketOptions.MAX_PINGS_PER_WINDOW)
                    .allMatch(f -> f.opcode() == RawWebSocket.PONG);
        }
        server.awaitGone("flooder");
    }

    @Test
    void pongs_count_against_the_send_queue_so_a_peer_that_pings_without_reading_is_a_slow_consumer() {
        server = TestServer.devMode(Map.of(Setting.WS_SEND_QUEUE_SIZE, "1KiB"));
        try (RawWebSocket ws = server.loginRaw("pinger")) {
            byte[][] pings = new byte[WebSocketOptions.MAX_PINGS_PER_WINDOW][]; // within the ping limit
            for (int i = 0; i < pings.length; i++) {
                pings[i] = RawWebSocket.frame(true, 0, RawWebSocket.PING, new byte[125]);
            }

            ws.send(pings); // one write: all are read before a pong can leave, so their pongs pile up in the queue

            List<RawWebSocket.Frame> answers = ws.readUntilClose();
            assertThat(answers.getLast().closeCode()).isEqualTo(CloseReason.SLOW_CONSUMER.code());
            assertThat(answers).filteredOn(f -> f.opcode() == RawWebSocket.PONG).hasSizeLessThan(pings.length);
        }
        server.awaitGone("pinger");
    }
}
