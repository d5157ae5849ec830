package dev.herald.server.ws;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.herald.server.testing.LogCapture;
import dev.herald.server.testing.RawWebSocket;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Connections keep arriving while the server stops: none of them costs a stack trace in the log. */
class ShutdownArrivalsTest {
    @Test
    void connections_arriving_during_shutdown_log_no_stack_trace() {
        TestServer server = TestServer.devMode(Map.of());
        int port = server.port();
        String request = RawWebSocket.upgradeRequest(server.wsUri("uid=late"));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger attempts = new AtomicInteger();
        try (LogCapture logs = LogCapture.root(Level.WARN)) {
            CompletableFuture<Void> arrivals = CompletableFuture.runAsync(() -> {
                while (!stop.get()) {
                    attempts.incrementAndGet();
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                        OutputStream out = socket.getOutputStream();
                        out.write(request.getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        socket.setSoTimeout(200);
                        socket.getInputStream().read();
                    } catch (IOException e) {
                        // refused, reset or no answer: the server is going
                    }
                }
            });
            Awaitility.await().atMost(WsClient.WAIT).until(() -> attempts.get() >= 20); // arrivals are under way

            server.server().shutdown(Duration.ofSeconds(1));
            stop.set(true);
            arrivals.join();

            assertThat(logs.events()).filteredOn(e -> e.getThrowableProxy() != null)
                    .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
        }
    }
}
