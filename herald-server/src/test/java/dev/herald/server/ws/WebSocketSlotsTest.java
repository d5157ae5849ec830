package dev.herald.server.ws;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.herald.core.error.ErrorCode;
import dev.herald.server.config.Setting;
import dev.herald.server.net.ConnectionLimit;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.LogCapture;
import dev.herald.server.testing.RawWebSocket;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.Tokens;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every way out of a {@code /ws} upgrade gives its {@code ws.max-connections} slot back: each failure branch, run
 * more often than the node has slots, leaves the open count at its baseline, a valid client still connects, and
 * nothing is logged at ERROR or with a stack trace (client input is never a server error).
 */
class WebSocketSlotsTest {
    private static final int SLOTS = 2;
    /** More than {@link #SLOTS}: a branch that leaks its slot locks the valid client out. */
    private static final int REPEATS = SLOTS + 2;

    private final TestServer server = TestServer.withAuth(Map.of(
            Setting.WS_MAX_CONNECTIONS, String.valueOf(SLOTS),
            Setting.WS_MAX_CONNECTIONS_PER_USER, "1",
            Setting.WS_ALLOWED_ORIGINS, "https://app.example.com",
            Setting.WS_AUTH_TIMEOUT, "300ms"));

    @AfterEach
    void stop() {
        server.close();
    }

    enum Branch {
        MALFORMED_ESCAPE_IN_TOKEN(s -> assertRefused(RawWebSocket.refusedUpgrade(s.wsUri(null), target("token=%ZZ")), ErrorCode.INVALID_REQUEST)),
        MALFORMED_ESCAPE_IN_UID(s -> assertRefused(RawWebSocket.refusedUpgrade(s.wsUri(null), target("uid=%ZZ")), ErrorCode.INVALID_REQUEST)),
        TRUNCATED_ESCAPE_IN_SINCE(s -> assertRefused(RawWebSocket.refusedUpgrade(s.wsUri(null), target("token=x&since=%4")), ErrorCode.INVALID_REQUEST)),
        BAD_TOKEN(s -> {
            try (RawWebSocket ws = RawWebSocket.connect(s.wsUri("token=not-a-jwt"))) {
                assertThat(ws.awaitCloseCode()).isEqualTo(4001);
            }
        }),
        ORIGIN_REFUSED(s -> assertRefused(RawWebSocket.refusedUpgrade(s.wsUri(null),
                r -> r.replace("Upgrade: websocket", "Origin: https://evil.example\r\nUpgrade: websocket")), ErrorCode.ORIGIN_NOT_ALLOWED)),
        WRONG_WEBSOCKET_VERSION(s -> {
            Http.Response r = RawWebSocket.refusedUpgrade(s.wsUri(null),
                    req -> req.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 99"));
            assertRefused(r, ErrorCode.UPGRADE_REQUIRED);
            assertThat(r.headers().firstValue("Sec-WebSocket-Version")).hasValue("13");
        }),
        MISSING_WEBSOCKET_VERSION(s -> {
            Http.Response r = RawWebSocket.refusedUpgrade(s.wsUri(null),
                    req -> req.replace("Sec-WebSocket-Version: 13\r\n", ""));
            assertRefused(r, ErrorCode.UPGRADE_REQUIRED);
            assertThat(r.headers().firstValue("Sec-WebSocket-Version")).hasValue("13");
        }),
        MISSING_WEBSOCKET_KEY(s -> assertRefused(RawWebSocket.refusedUpgrade(s.wsUri(null),
                req -> req.replaceAll("Sec-WebSocket-Key: [^\r]*\r\n", "")), ErrorCode.INVALID_REQUEST)),
        PER_USER_CAP(s -> {
            WsClient holder = s.connect("token=" + Tokens.hs256("capped"));
            holder.awaitFrame(f -> f.contains("\"type\":\"welcome\""));
            try (RawWebSocket second = RawWebSocket.connect(s.wsUri("token=" + Tokens.hs256("capped")))) {
                assertThat(second.awaitCloseCode()).isEqualTo(4009);
            }
            holder.close();
            s.awaitGone("capped");
        }),
        CLOSED_MID_HANDSHAKE(s -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", s.port()));
                socket.getOutputStream().write(RawWebSocket.upgradeRequest(s.wsUri(null)).getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                socket.setSoLinger(true, 0); // reset at once, maybe before the server answered
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }),
        CLOSED_BEFORE_LOGIN(s -> RawWebSocket.connect(s.wsUri(null)).close()),
        LOGIN_TIMEOUT(s -> {
            try (RawWebSocket ws = RawWebSocket.connect(s.wsUri(null))) {
                assertThat(ws.awaitCloseCode()).isEqualTo(4002);
            }
        }),
        NON_JSON_FIRST_FRAME(s -> {
            try (RawWebSocket ws = RawWebSocket.connect(s.wsUri(null))) {
                ws.send(RawWebSocket.text("hello"));
                assertThat(ws.awaitCloseCode()).isEqualTo(4006);
            }
        });

        private final Consumer<TestServer> run;

        Branch(Consumer<TestServer> run) {
            this.run = run;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Branch.class)
    void every_failed_upgrade_or_login_gives_its_slot_back(Branch branch) {
        ConnectionLimit limit = server.server().connectionLimit();
        int baseline = limit.webSockets();

        try (LogCapture logs = LogCapture.root(Level.WARN)) {
            for (int i = 0; i < REPEATS; i++) {
                branch.run.accept(server);
                Awaitility.await().atMost(WsClient.WAIT).until(() -> limit.webSockets() == baseline);
            }
            Awaitility.await().atMost(WsClient.WAIT).until(() -> server.http().get("/metrics").metric("herald_connections_open{transport=\"websocket\"}") == 0);

            WsClient valid = server.connect("token=" + Tokens.hs256("valid"));
            valid.awaitFrame(f -> f.contains("\"type\":\"welcome\""));
            valid.close();

            assertThat(logs.events(Level.ERROR)).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
            assertThat(logs.events()).filteredOn(e -> e.getThrowableProxy() != null)
                    .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
        }
        Awaitility.await().atMost(WsClient.WAIT).until(() -> limit.webSockets() == baseline);
    }

    /** Puts a raw query (which {@link java.net.URI} would refuse) into the upgrade request. */
    private static java.util.function.UnaryOperator<String> target(String rawQuery) {
        return request -> request.replaceFirst("GET /ws ", "GET /ws?" + java.util.regex.Matcher.quoteReplacement(rawQuery) + " ");
    }

    private static void assertRefused(Http.Response r, ErrorCode code) {
        assertThat(r.status()).as(r.body()).isEqualTo(code.httpStatus());
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonObject error = new JsonObject(r.body()).getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo(code.code());
        assertThat(error.getString("message")).isNotBlank().doesNotContain("%ZZ").doesNotContain("evil");
    }
}
