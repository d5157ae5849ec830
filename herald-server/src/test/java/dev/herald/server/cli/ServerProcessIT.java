package dev.herald.server.cli;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged jar as operators run it: exit codes and signal handling, in a real child process. */
class ServerProcessIT {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private final List<String> output = new ArrayList<>();
    private Process process;

    @AfterEach
    void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Test
    void sigterm_closes_connections_with_1001_and_exits_0() throws Exception {
        start("serve", "--port", "0", "--data-dir", Files.createTempDirectory("herald-it").toString());
        int port = awaitPort();
        WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws"), Map.of());
        client.send("{\"uid\": \"123\"}");
        Http http = new Http(URI.create("http://127.0.0.1:" + port), null);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/api/v1/stats").body().contains("\"connections\":1"));

        // Process.destroy() would also close our end of the child's stdout; kill(1) sends only the signal
        assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor()).isZero();

        assertThat(client.awaitClose()).isEqualTo(1001);
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("process exited").isTrue();
        assertThat(process.exitValue()).isZero();
        Awaitility.await().atMost(Duration.ofSeconds(5)).alias("log says stopped").until(() -> output().contains("stopped"));
        assertThat(output()).contains("shutting down: closing 1 connections");
    }

    @Test
    void dev_mode_on_a_public_address_refuses_to_start_with_exit_2() throws Exception {
        start("serve", "--host", "0.0.0.0", "--port", "0");

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> output().contains("auth.api-keys"));
        assertThat(output()).contains("auth.jwt-secret").doesNotContain("listening on");
    }

    @Test
    void invalid_setting_fails_fast_naming_the_key() throws Exception {
        start("serve", "--port", "not-a-port");

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> output().contains("port: 'not-a-port'"));
    }

    private void start(String... args) throws IOException {
        String jar = System.getProperty("herald.jar");
        assertThat(jar).as("herald.jar system property (set by failsafe)").isNotNull();
        assertThat(Path.of(jar)).exists();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
        command.addAll(List.of(args));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (output) {
                        output.add(line);
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        }, "herald-it-output");
        reader.setDaemon(true);
        reader.start();
    }

    @org.junit.jupiter.api.AfterEach
    void printOutput() {
        System.out.println("---- herald process output ----\n" + output());
    }

    private String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    private int awaitPort() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> LISTENING.matcher(output()).find());
        Matcher m = LISTENING.matcher(output());
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
