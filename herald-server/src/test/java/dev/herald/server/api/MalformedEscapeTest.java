package dev.herald.server.api;

import dev.herald.core.error.ErrorCode;
import dev.herald.server.testing.LogCapture;
import dev.herald.server.testing.RawHttp;
import dev.herald.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A malformed percent escape ({@code %ZZ}) anywhere a route reads the URL is the client's mistake: every route
 * answers {@code 400 invalid_request} in the JSON envelope, never a 500, never an ERROR log line or a stack trace.
 */
class MalformedEscapeTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.withAuth(java.util.Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "GET /send?uid=%ZZ&message=x",
            "GET /send?uid=1&message=x&other=%ZZ",
            "GET /send/?uid=%ZZ&message=x",
            "POST /send?uid=%ZZ",
            "GET /api/v1/users/u1/messages?since=%ZZ",
            "GET /api/v1/users/u1/messages?limit=%ZZ",
            "GET /api/v1/dead-letters?channel=%ZZ",
            "DELETE /api/v1/users/u1/connections?connection=%ZZ",
            "GET /api/v1/users/%ZZ",
            "GET /api/v1/messages/%ZZ",
            "GET /api/v1/users/%ZZ/messages",
            "GET /no/such/%ZZ",
            "GET /ws?uid=%ZZ",
            "HEAD /api/v1/users/u1/messages?since=%ZZ",
    })
    void a_malformed_percent_escape_answers_400_invalid_request_without_an_error_log(String request) {
        String body = request.startsWith("POST") ? "message=x" : "";
        try (LogCapture logs = LogCapture.start()) {
            RawHttp.Response r = request.startsWith("HEAD") ? headAsGet(request) : RawHttp.exchange(server.port(), request + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + "Authorization: Bearer " + TestServer.API_KEY + "\r\n"
                    + (body.isEmpty() ? "" : "Content-Type: application/x-www-form-urlencoded\r\n")
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body);

            assertThat(r.status()).as(r.body()).isEqualTo(400);
            if (request.startsWith("HEAD")) {
                assertThat(logs.errorsOrTraces()).isEmpty();
                return; // no body to read the code from
            }
            assertThat(r.header("content-type")).startsWith("application/json");
            JsonObject error = new JsonObject(r.body()).getJsonObject("error");
            assertThat(error.getString("code")).isEqualTo(ErrorCode.INVALID_REQUEST.code());
            assertThat(error.getString("message")).contains("malformed percent escape").doesNotContain("ZZ");
            assertThat(logs.errorsOrTraces()).isEmpty();
        }
    }

    /** A HEAD request: the answer has no body, only the status. */
    private static RawHttp.Response headAsGet(String request) {
        return RawHttp.exchange(server.port(), request + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Authorization: Bearer " + TestServer.API_KEY + "\r\n\r\n");
    }

    @org.junit.jupiter.api.Test
    void a_malformed_escape_in_a_form_body_is_a_400_without_an_error_log() {
        String body = "uid=%ZZ&message=x";
        try (LogCapture logs = LogCapture.start()) {
            RawHttp.Response r = RawHttp.exchange(server.port(), "POST /send HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + "Authorization: Bearer " + TestServer.API_KEY + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body);

            assertThat(r.status()).as(r.body()).isEqualTo(400);
            assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code")).isEqualTo(ErrorCode.INVALID_REQUEST.code());
            assertThat(r.body()).doesNotContain("ZZ");
            assertThat(logs.errorsOrTraces()).isEmpty();
        }
    }
}
