package dev.herald.server.sse;

import dev.herald.server.testing.TestServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's SSE example runs as written: its two {@code curl} commands, taken from the README itself (only
 * {@code localhost:8181} pointed at the test server), through the machine's {@code curl}; the stream shows the
 * events the README shows, in its order. Fails, naming the fix, where no {@code curl} is installed (never skipped).
 */
class ReadmeSseExampleTest {
    private static final Path README = Path.of("..", "README.md");
    private final TestServer server = TestServer.devMode();
    private Process stream;

    @AfterEach
    void stop() {
        if (stream != null) {
            stream.destroyForcibly();
        }
        server.close();
    }

    @Test
    void the_curl_n_example_shows_the_push_arriving() throws Exception {
        assertThat(Files.isExecutable(Path.of("/usr/bin/curl")) || Files.isExecutable(Path.of("/bin/curl")))
                .as("curl runs the README's example: install it (apt-get install curl)").isTrue();
        String readme = Files.readString(README);
        String section = readme.substring(readme.indexOf("**No WebSocket?**"));
        section = section.substring(0, section.indexOf("see [protocol.md]"));
        List<String> commands = section.lines().filter(l -> l.startsWith("curl ")).toList();
        assertThat(commands).hasSize(2);
        String base = "http://127.0.0.1:" + server.port();

        StringBuffer output = new StringBuffer();
        stream = new ProcessBuilder("bash", "-c", commands.get(0).replace("http://localhost:8181", base)).start();
        Thread.ofVirtual().start(() -> copy(stream.getInputStream(), output));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> output.toString().contains("event: positions"));

        Process send = new ProcessBuilder("bash", "-c", commands.get(1).replace("http://localhost:8181", base)).start();
        assertThat(new String(send.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("\"delivered\":1");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> output.toString().contains("\"data\":\"Hello SSE\""));

        // the README's sample output, field by field (ids, timestamps and epochs differ from run to run)
        String sample = section.substring(section.indexOf("```\nevent: welcome"));
        List<String> expected = new ArrayList<>();
        for (String line : sample.lines().toList()) {
            if (line.startsWith("event: ") || line.startsWith("id: inbox=0")) {
                expected.add(line);
            }
        }
        assertThat(expected).containsExactly("event: welcome", "id: inbox=0,all=0", "event: positions", "event: message");
        List<String> actual = output.toString().lines().filter(l -> l.startsWith("event: ") || l.startsWith("id: inbox=0")).toList();
        assertThat(actual).containsExactlyElementsOf(expected);
        assertThat(output.toString()).containsPattern("id: inbox=1@[0-9a-f]+,all=0\nevent: message\ndata: \\{\"type\":\"message\"");
    }

    private static void copy(InputStream in, StringBuffer out) {
        byte[] buffer = new byte[4096];
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the process was stopped
        }
    }
}
