package dev.herald.server.ws;

import dev.herald.server.testing.RawWebSocket;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.herald.server.testing.RawWebSocket.BINARY;
import static dev.herald.server.testing.RawWebSocket.CLOSE;
import static dev.herald.server.testing.RawWebSocket.frame;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The closing handshake (RFC 6455 §7) of Herald's own WebSocket handler ({@link WebSocketFrameHandler},
 * {@link NettySession}), on the real endpoint with a raw client: the peer's close is echoed and the server
 * closes the TCP connection; Herald's own close waits for the peer's answer, at most
 * {@link WebSocketOptions#CLOSING_TIMEOUT_SECONDS}.
 */
class ClosingHandshakeTest {
    /**
     * "At once" means well before the closing timeout: that timer starts when Herald sends its close, a little
     * before the client measures, so a bound of the full timeout would pass even if the server waited for it.
     */
    private static final Duration HALF_THE_CLOSING_TIMEOUT = Duration.ofSeconds(WebSocketOptions.CLOSING_TIMEOUT_SECONDS).dividedBy(2);

    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }



    private static byte[] closePayload(int code, String reason) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.write(code >>> 8);
        payload.write(code & 0xff);
        payload.writeBytes(reason.getBytes(StandardCharsets.UTF_8));
        return payload.toByteArray();
    }

    @Test
    void the_peers_close_is_echoed_then_the_server_closes_the_tcp_connection() {
        try (RawWebSocket ws = server.loginRaw("leaver")) {
            ws.send(frame(true, 0, CLOSE, closePayload(1000, "bye")));

            RawWebSocket.Frame echo = ws.read();
            assertThat(echo.opcode()).isEqualTo(CLOSE);
            assertThat(echo.closeCode()).isEqualTo(1000);
            assertThat(ws.read()).as("the server closes the TCP connection after its echo").isNull();
        }
        server.awaitGone("leaver");
    }

    @Test
    void a_peer_that_answers_heralds_close_is_disconnected_at_once() {
        try (RawWebSocket ws = server.loginRaw("answers")) {
            ws.send(frame(true, 0, BINARY, new byte[] {1})); // Herald speaks text only: 1003
            assertThat(ws.awaitCloseCode()).isEqualTo(1003);
            long answered = System.nanoTime();

            ws.send(frame(true, 0, CLOSE, closePayload(1003, "")));

            assertThat(ws.read()).as("the server closes the TCP connection").isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - answered))
                    .as("without waiting for the closing timeout")
                    .isLessThan(HALF_THE_CLOSING_TIMEOUT);
        }
        server.awaitGone("answers");
    }

    @Test
    void a_peer_that_breaks_the_protocol_while_herald_waits_for_its_close_is_dropped_at_once() {
        try (RawWebSocket ws = server.loginRaw("breaks")) {
            ws.send(frame(true, 0, BINARY, new byte[] {1}));
            assertThat(ws.awaitCloseCode()).isEqualTo(1003);
            long sent = System.nanoTime();

            ws.send(frame(true, 0, 0x5, new byte[0])); // a reserved opcode: its close frame could no longer be read

            assertThat(ws.read()).as("the server drops the TCP connection").isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - sent))
                    .as("without waiting for the closing timeout")
                    .isLessThan(HALF_THE_CLOSING_TIMEOUT);
        }
        server.awaitGone("breaks");
    }

    @Test
    void a_peer_that_never_answers_heralds_close_is_dropped_after_the_closing_timeout() {
        try (RawWebSocket ws = server.loginRaw("mute")) {
            ws.send(frame(true, 0, BINARY, new byte[] {1}));
            assertThat(ws.awaitCloseCode()).isEqualTo(1003);
            long closeReceived = System.nanoTime();

            // no answer from this side: the server waits for one, then drops the connection
            assertThat(ws.read()).as("the server drops the TCP connection").isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - closeReceived))
                    .isGreaterThan(Duration.ofSeconds(WebSocketOptions.CLOSING_TIMEOUT_SECONDS - 1));
        }
        server.awaitGone("mute");
    }
}
