package dev.herald.server.api;

import dev.herald.core.error.ErrorCode;
import dev.herald.server.testing.LogCapture;
import dev.herald.server.testing.RawHttp;
import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests the HTTP decoder cannot read are answered by Vert.x before any route: they too get the JSON envelope,
 * a catalogued code and {@code Connection: close}, and log nothing alarming.
 */
class DecoderErrorsTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.devMode();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> unreadable() {
        StringBuilder manyHeaders = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            manyHeaders.append("X-Header-").append(i).append(": v\r\n");
        }
        return Stream.of(
                Arguments.of("a 64 KiB URL", "GET /health?q=" + "a".repeat(64 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n", ErrorCode.URI_TOO_LONG),
                Arguments.of("1,000 headers", "GET /health HTTP/1.1\r\nHost: x\r\n" + manyHeaders + "\r\n", ErrorCode.HEADERS_TOO_LARGE),
                Arguments.of("one 64 KiB header", "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(64 * 1024) + "\r\n\r\n",
                        ErrorCode.HEADERS_TOO_LARGE),
                Arguments.of("two Content-Lengths", "POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", ErrorCode.BAD_REQUEST),
                Arguments.of("a garbage request line", "GARBAGE\r\n\r\n", ErrorCode.BAD_REQUEST));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreadable")
    void an_unreadable_request_gets_the_envelope_and_the_connection_is_closed(String what, String request, ErrorCode code) {
        try (LogCapture logs = LogCapture.start()) {
            RawHttp.Response r = RawHttp.exchange(server.port(), request);

            HttpErrorsTest.assertError(r.asHttp(), code);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(r.body()).doesNotContain("aaaa");
            assertThat(logs.errorsOrTraces()).isEmpty();
        }
    }
}
