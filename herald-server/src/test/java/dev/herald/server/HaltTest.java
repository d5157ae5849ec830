package dev.herald.server;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.SseClient;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link HeraldServer#halt} looks like a killed process to every client: a Herald WebSocket, an SSE stream and a
 * Pusher WebSocket all lose their connection at once, none of them told goodbye (no close frame, no {@code close} event).
 */
class HaltTest {
    private TestServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void halt_drops_websockets_event_streams_and_pusher_sockets_without_a_goodbye() throws Exception {
        server = TestServer.devMode(Map.of(Setting.PUSHER_APP_ID, "1", Setting.PUSHER_KEY, "halt-key",
                Setting.PUSHER_SECRET, "halt-secret-123"));
        WsClient herald = server.connectHerald("ann");
        SseClient stream = SseClient.open(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/events?uid=bob"), Map.of());
        stream.next("welcome");
        WsClient pusher = WsClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/app/halt-key?protocol=7"), Map.of());
        pusher.awaitFrame(f -> f.contains("pusher:connection_established"));

        long started = System.nanoTime();
        server.server().halt();
        // nothing waits for a close handshake (a Pusher socket closed through Vert.x would wait up to 10 s for one)
        assertThat((System.nanoTime() - started) / 1e9).as("seconds halt took").isLessThan(5);

        assertThat(herald.awaitClose()).as("Herald WebSocket: dropped, no close frame (1006 or an error)").isIn(-1, 1006);
        assertThat(pusher.awaitClose()).as("Pusher WebSocket: dropped, no close frame (1006 or an error)").isIn(-1, 1006);
        stream.ended().handle((v, e) -> null).get(SseClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(stream.drained()).as("SSE: no close event").noneMatch(e -> "close".equals(e.event()));
    }
}
