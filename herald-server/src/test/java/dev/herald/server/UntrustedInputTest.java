package dev.herald.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.session.CloseReason;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.RawWebSocket;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.TestServers;
import dev.herald.server.testing.Tokens;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a client sends never forges a log line (at DEBUG, where most of it is logged) and never comes back in an
 * error; a body is JSON in UTF-8 with each key once, or it is refused.
 */
class UntrustedInputTest {
    private static final String FORGED = "2026-12-07 12:00:00.000 INFO  [main] dev.herald.server.HeraldServer - FORGED";
    private final TestServers servers = new TestServers();
    private final Logger herald = (Logger) LoggerFactory.getLogger("dev.herald");
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Level levelBefore;

    @BeforeEach
    void captureDebugLog() {
        levelBefore = herald.getLevel();
        herald.setLevel(Level.DEBUG);
        logged.start();
        herald.addAppender(logged);
    }

    @AfterEach
    void restore() {
        servers.close();
        herald.detachAppender(logged);
        herald.setLevel(levelBefore);
    }

    private List<String> lines() {
        synchronized (logged) { // logback appends under the appender's lock
            List<String> out = new ArrayList<>();
            for (ILoggingEvent e : logged.list) {
                out.add(e.getFormattedMessage());
            }
            return out;
        }
    }

    private static void assertNoForgedLine(List<String> lines) {
        for (String line : lines) {
            assertThat(line).doesNotContain("\n" + FORGED).doesNotContain("\r");
        }
    }

    @Test
    void a_first_frame_type_with_a_newline_cannot_forge_a_log_line() {
        TestServer s = servers.withAuth(Map.of());
        try (RawWebSocket ws = RawWebSocket.connect(s.wsUri(null))) {
            ws.send(RawWebSocket.text("{\"type\":\"x\\n" + FORGED + "\"}"));

            assertThat(ws.awaitCloseCode()).isEqualTo(CloseReason.UNAUTHORIZED.code());
        }

        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> lines().stream().anyMatch(l -> l.contains("before logging in")));
        assertNoForgedLine(lines());
        assertThat(lines()).anyMatch(l -> l.contains("\"x\\n2026-12-07 12:00:00.000 INFO"));
    }

    @Test
    void a_jwt_alg_with_a_newline_cannot_forge_a_log_line() {
        TestServer s = servers.withAuth(Map.of());
        String token = Tokens.hs256Raw(TestServer.JWT_SECRET, "{\"alg\":\"HS256\\n" + FORGED + "\"}",
                "{\"sub\":\"u\",\"exp\":" + (System.currentTimeMillis() / 1000 + 3600) + "}");
        try (RawWebSocket ws = RawWebSocket.connect(s.wsUri(null))) {
            ws.send(RawWebSocket.text("{\"type\":\"auth\",\"token\":\"" + token + "\"}"));

            assertThat(ws.awaitCloseCode()).isEqualTo(CloseReason.UNAUTHORIZED.code());
        }

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> lines().stream().anyMatch(l -> l.contains("refused")));
        assertNoForgedLine(lines());
        assertThat(String.join("\n", lines())).doesNotContain("FORGED");
    }

    @Test
    void a_token_in_the_query_string_with_a_newline_cannot_forge_a_log_line() {
        TestServer s = servers.withAuth(Map.of());
        String token = Tokens.hs256Raw(TestServer.JWT_SECRET, "{\"alg\":\"HS256\"}",
                "{\"sub\":\"u\\n" + FORGED + "\",\"exp\":" + (System.currentTimeMillis() / 1000 + 3600) + "}");
        try (RawWebSocket ws = RawWebSocket.connect(s.wsUri("token=" + token))) {
            assertThat(ws.awaitCloseCode()).isEqualTo(CloseReason.UNAUTHORIZED.code());
        }

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> lines().stream().anyMatch(l -> l.contains("refused")));
        assertNoForgedLine(lines());
    }

    @Test
    void an_unquoted_secret_in_a_body_is_not_echoed_in_invalid_json() {
        Http http = servers.devMode(Map.of()).http();

        Http.Response r = http.postJson("/api/v1/messages", "{\"to\":{\"users\":[\"u\"]},\"data\":sk_live_hunter2}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo(ErrorCode.INVALID_JSON.code());
        assertThat(r.body()).contains("line 1, column").doesNotContain("sk_live").doesNotContain("hunter2");
    }

    @Test
    void a_body_that_is_not_utf8_is_invalid_json_not_replacement_characters() {
        Http http = servers.devMode(Map.of()).http();
        byte[] latin1 = "{\"to\":{\"users\":[\"u\"]},\"data\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);

        Http.Response r = http.send(http.request("/api/v1/messages").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(latin1)));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo(ErrorCode.INVALID_JSON.code());
        assertThat(r.body()).contains("UTF-8");
    }

    @Test
    void a_repeated_to_is_invalid_json_instead_of_the_last_one_winning() {
        Http http = servers.devMode(Map.of()).http();

        Http.Response one = http.postJson("/api/v1/messages",
                "{\"to\":{\"users\":[\"alice\"]},\"data\":1,\"to\":{\"users\":[\"mallory\"]}}");
        Http.Response batch = http.postJson("/api/v1/messages/batch",
                "[{\"to\":{\"users\":[\"alice\"]},\"data\":1,\"to\":{\"users\":[\"mallory\"]}}]");

        assertThat(one.errorCode()).isEqualTo(ErrorCode.INVALID_JSON.code());
        assertThat(batch.errorCode()).isEqualTo(ErrorCode.INVALID_JSON.code());
        assertThat(one.body()).doesNotContain("mallory");
    }

    @Test
    void a_refused_origin_is_neither_echoed_nor_logged_raw() throws Exception {
        TestServer s = servers.withAuth(Map.of());
        String response;
        try (Socket socket = new Socket("127.0.0.1", s.port())) {
            socket.setSoTimeout(10_000);
            // 0x85 is NEL, a C1 control character some log viewers break lines at; a header cannot carry \n itself
            String request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + s.port() + "\r\nOrigin: https://evil.example/\u0085" + FORGED
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            byte[] buffer = new byte[4096];
            StringBuilder in = new StringBuilder();
            while (!in.toString().contains("}}")) {
                int n = socket.getInputStream().read(buffer);
                if (n < 0) {
                    break;
                }
                in.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
            response = in.toString();
        }

        assertThat(response).startsWith("HTTP/1.1 403").contains(ErrorCode.ORIGIN_NOT_ALLOWED.code()).doesNotContain("evil.example");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> lines().stream().anyMatch(l -> l.contains("refused a WebSocket from origin")));
        assertNoForgedLine(lines());
        assertThat(lines()).noneMatch(l -> l.indexOf('\u0085') >= 0)
                .anyMatch(l -> l.contains("\"https://evil.example/\\u0085" + FORGED.substring(0, 10)));
    }
}
