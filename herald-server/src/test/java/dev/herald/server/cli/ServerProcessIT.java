package dev.herald.server.cli;

import dev.herald.server.testing.HeraldProcess;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged jar as operators run it: exit codes and signal handling, in a real child process. */
class ServerProcessIT {
    private HeraldProcess process;

    @AfterEach
    void kill() {
        if (process != null) {
            System.out.println("---- herald process output ----\n" + process.output());
            process.close();
        }
    }

    @Test
    void sigterm_closes_connections_with_1001_and_exits_0() throws Exception {
        process = HeraldProcess.start("serve", "--port", "0", "--data-dir", Files.createTempDirectory("herald-it").toString());
        int port = process.awaitPort();
        WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws"), Map.of());
        client.send("{\"uid\": \"123\"}");
        Http http = new Http(URI.create("http://127.0.0.1:" + port), null);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/api/v1/stats").body().contains("\"connections\":1"));

        process.signal("TERM");

        assertThat(client.awaitClose()).isEqualTo(1001);
        assertThat(process.process().waitFor(20, TimeUnit.SECONDS)).as("process exited").isTrue();
        assertThat(process.process().exitValue()).isZero();
        Awaitility.await().atMost(Duration.ofSeconds(5)).alias("log says stopped").until(() -> process.output().contains("stopped"));
        assertThat(process.output()).contains("shutting down: closing 1 connections");
    }

    @Test
    void dev_mode_on_a_public_address_refuses_to_start_with_exit_2() throws Exception {
        process = HeraldProcess.start("serve", "--host", "0.0.0.0", "--port", "0");

        assertThat(process.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.process().exitValue()).isEqualTo(2);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> process.output().contains("auth.api-keys"));
        assertThat(process.output()).contains("auth.jwt-secret").doesNotContain("listening on");
    }

    @Test
    void invalid_setting_fails_fast_naming_the_key() throws Exception {
        process = HeraldProcess.start("serve", "--port", "not-a-port");

        assertThat(process.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.process().exitValue()).isEqualTo(2);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> process.output().contains("port: 'not-a-port'"));
    }
}
