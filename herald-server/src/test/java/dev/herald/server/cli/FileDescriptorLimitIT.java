package dev.herald.server.cli;

import dev.herald.server.testing.HeraldProcess;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.RawWebSocket;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged server under a low file-descriptor limit (prlimit, for the child only): with the default
 * ws.max-connections it refuses the connections it has no room for with 503 before the descriptors run
 * out; with a cap the limit cannot hold, accept(2) fails with EMFILE and the acceptor backs off instead
 * of spinning. Either way it keeps serving what it holds, and /health once the overload is gone.
 */
class FileDescriptorLimitIT {
    /**
     * A spinning acceptor burns a whole core: 100 ticks per second. Herald must stay far below; the allowance
     * is for a shared, loaded machine (the JIT and GC still settling after the flood's logins).
     */
    private static final long MAX_TICKS_PER_SECOND_UNDER_OVERLOAD = 20;
    private static final Pattern EMFILE = Pattern.compile("Too many open files");
    private final List<Socket> sockets = new ArrayList<>();
    private final List<RawWebSocket> webSockets = new ArrayList<>();
    private HeraldProcess process;

    @AfterEach
    void stop() throws IOException {
        closeClients();
        if (process != null) {
            System.out.println("---- herald process output (tail) ----\n" + tail(process.output(), 40));
            process.close();
        }
    }

    @Test
    void with_the_default_cap_connections_beyond_it_get_503_before_the_descriptors_run_out() throws Exception {
        process = HeraldProcess.startWithFileLimit(300, "serve", "--port", "0", "--store", "memory",
                "--data-dir", Files.createTempDirectory("herald-fd-it").toString());
        int port = process.awaitPort();
        int cap = 300 - 100; // the default: the descriptor limit minus the reserve

        for (int i = 0; i < cap; i++) {
            webSockets.add(RawWebSocket.connect(URI.create("ws://127.0.0.1:" + port + "/ws?uid=u" + i)));
        }
        long ticksBefore = process.cpuTicks();
        for (int i = 0; i < 100; i++) {
            Http.Response refused = RawWebSocket.refusedUpgrade(URI.create("ws://127.0.0.1:" + port + "/ws?uid=late" + i));
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.errorCode()).isEqualTo("too_many_connections");
        }
        long refusalTicks = process.cpuTicks() - ticksBefore;

        Http http = new Http(URI.create("http://127.0.0.1:" + port), null);
        assertThat(http.get("/health").status()).isEqualTo(200);
        assertThat(http.get("/send?uid=u0&message=still-served&persist=false").status()).isEqualTo(200);
        assertThat(awaitText(webSockets.getFirst(), "still-served")).isTrue();
        assertThat(http.get("/metrics").metric("herald_connections_refused_total{stage=\"upgrade\"}")).isEqualTo(100.0);
        assertThat(count(process.output(), Pattern.compile("ws.max-connections \\(200\\) reached")))
                .as("one log line for a burst of refusals, not one per connection").isEqualTo(1);
        assertThat(count(process.output(), EMFILE)).as("the descriptors never ran out").isZero();
        System.out.printf("100 refusals cost %d ticks (10 ms) of server CPU%n", refusalTicks);
    }

    @Test
    void beyond_the_descriptor_limit_accept_backs_off_without_spinning_and_the_server_recovers() throws Exception {
        process = HeraldProcess.startWithFileLimit(200, "serve", "--port", "0", "--store", "memory",
                "--ws.max-connections", "1000", "--data-dir", Files.createTempDirectory("herald-fd-it").toString());
        int port = process.awaitPort();
        // configuration warnings go to stderr, which HeraldProcess merges into its output
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(process.output())
                .contains("ws.max-connections (1000) leaves fewer than 100 of the process's 200 file descriptors"));
        RawWebSocket holder = RawWebSocket.connect(URI.create("ws://127.0.0.1:" + port + "/ws?uid=holder"));
        webSockets.add(holder);

        for (int i = 0; i < 300; i++) { // more than the server has descriptors for; the kernel queues the rest
            sockets.add(sendUpgradeWithoutReading(port, "flood" + i));
        }
        // the second failure: one back-off has passed, and the connections accepted before it are logged in
        Awaitility.await().atMost(Duration.ofSeconds(10)).alias("accept fails with EMFILE, twice")
                .until(() -> count(process.output(), EMFILE) >= 2);
        long ticksBefore = process.cpuTicks();
        int logLinesBefore = count(process.output(), EMFILE);
        Thread.sleep(3_000); // a measurement window, not synchronisation: CPU and log lines over 3 s of overload
        long ticks = process.cpuTicks() - ticksBefore;
        int logLines = count(process.output(), EMFILE) - logLinesBefore;

        assertThat(process.process().isAlive()).isTrue();
        assertThat(ticks).as("server CPU ticks over 3 s at the descriptor limit (a spinning accept loop: ~300)")
                .isLessThanOrEqualTo(3 * MAX_TICKS_PER_SECOND_UNDER_OVERLOAD);
        assertThat(logLines).as("EMFILE log lines over 3 s: Netty retries accept once a second").isLessThanOrEqualTo(8);

        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
        Http http = new Http(URI.create("http://127.0.0.1:" + port), null);
        Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions().alias("/health answers again")
                .until(() -> http.get("/health").status() == 200);
        assertThat(http.get("/send?uid=holder&message=survived&persist=false").status()).isEqualTo(200);
        assertThat(awaitText(holder, "survived")).isTrue();
        System.out.printf("3 s at the descriptor limit: %d ticks (10 ms) of server CPU, %d EMFILE log lines%n", ticks, logLines);
    }

    /** Opens a TCP connection and sends a WebSocket upgrade request, without waiting for an answer. */
    private static Socket sendUpgradeWithoutReading(int port, String uid) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /ws?uid=" + uid + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    /** Reads frames (the welcome first) until one contains {@code needle}. */
    private static boolean awaitText(RawWebSocket ws, String needle) {
        for (int i = 0; i < 5; i++) {
            RawWebSocket.Frame frame = ws.read();
            if (frame == null) {
                return false;
            }
            if (frame.text().contains(needle)) {
                return true;
            }
        }
        return false;
    }

    private static int count(String text, Pattern pattern) {
        return (int) pattern.matcher(text).results().count();
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private void closeClients() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        for (RawWebSocket ws : webSockets) {
            ws.close();
        }
    }
}
