package dev.herald.server.ws;

import dev.herald.core.message.Durations;
import dev.herald.server.config.Setting;
import dev.herald.server.testing.AutobahnFuzzingClient;
import dev.herald.server.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 6455 conformance: the Autobahn|Testsuite fuzzing client against {@link AutobahnEchoServer},
 * which runs Herald's own WebSocket stack and limits. Any case wstest judges FAILED (or UNIMPLEMENTED)
 * fails the build; NON-STRICT and INFORMATIONAL are allowed, as the RFC allows them.
 *
 * <p>By default sections 1–7 and 10 (framing, pings, reserved bits and opcodes, fragmentation, UTF-8,
 * closing, misc.) with Herald's default limits: about half a minute. System properties choose another
 * run, e.g. the full suite as in docs/conformance.md:
 * <ul>
 *   <li>{@code autobahn.cases}: comma-separated wstest patterns (default {@code 1.*,…,7.*,10.*}; {@code *} for all);</li>
 *   <li>{@code autobahn.exclude-cases}: patterns to leave out (default none);</li>
 *   <li>{@code autobahn.max-message-size}: the echo server's {@code ws.max-message-size} (default Herald's, 64KiB);</li>
 *   <li>{@code autobahn.timeout}: how long wstest may run (default 3m).</li>
 * </ul>
 * Reports: {@code herald-server/target/autobahn/reports/index.html}, and {@code summary.md} beside them.
 */
class AutobahnConformanceIT {
    static final String CI_CASES = "1.*,2.*,3.*,4.*,5.*,6.*,7.*,10.*";

    @Test
    @Timeout(value = 2, unit = TimeUnit.HOURS) // the real bound is autobahn.timeout, enforced on wstest itself
    void the_fuzzing_client_finds_no_failed_case() throws Exception {
        List<String> cases = list(System.getProperty("autobahn.cases", CI_CASES));
        List<String> exclude = list(System.getProperty("autobahn.exclude-cases", ""));
        String maxMessageSize = System.getProperty("autobahn.max-message-size");
        Duration timeout = Durations.parse(System.getProperty("autobahn.timeout", "3m"));
        Path out = Path.of("target", "autobahn");

        try (AutobahnEchoServer server = AutobahnEchoServer.start(AutobahnEchoServer.config(0,
                maxMessageSize == null ? Map.of() : Map.of(Setting.WS_MAX_MESSAGE_SIZE, maxMessageSize)))) {
            long started = System.nanoTime();
            AutobahnFuzzingClient.Report report = AutobahnFuzzingClient.fromBuild()
                    .run(server.uri(), cases, exclude, out, timeout);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            String summary = "Autobahn fuzzing client against " + server.uri() + " (ws.max-message-size "
                    + server.config().maxMessageSize() + " bytes), cases " + cases + " excluding " + exclude
                    + ", in " + took.toSeconds() + " s\n\n" + report.table() + "\nNot OK:\n" + report.notOk() + "\n";
            Files.writeString(out.resolve("summary.md"), summary);
            System.out.println(summary);

            assertThat(report.cases()).as("cases run").isNotEmpty();
            assertThat(report.failed()).as("FAILED cases; reports in " + out.toAbsolutePath().resolve("reports")
                    + "\n" + summary).isEmpty();
            // every connection the suite opened is closed and forgotten
            Awaitility.await().atMost(WsClient.WAIT).until(() -> server.openConnections() == 0);
        }
    }

    private static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
