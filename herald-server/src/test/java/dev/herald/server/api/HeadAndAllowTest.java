package dev.herald.server.api;

import dev.herald.server.testing.RawHttp;
import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code HEAD} is answered wherever {@code GET} is (load balancers probe with it); every 405 lists {@code Allow}. */
class HeadAndAllowTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.withAuth(java.util.Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String request(String method, String path) {
        return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestServer.API_KEY
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }

    @ParameterizedTest(name = "HEAD {0}")
    @ValueSource(strings = {"/health", "/health/ready", "/health/live", "/metrics", "/openapi.yaml", "/api/v1/stats",
            "/api/v1/users/u1", "/api/v1/channels", "/api/v1/users/u1/messages", "/no/such/path"})
    void head_answers_as_get_without_a_body(String path) throws IOException {
        RawHttp.Response get = RawHttp.exchange(server.port(), request("GET", path));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request("HEAD", path).getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();

            RawHttp.Response head = RawHttp.read(in, true);

            assertThat(head.status()).isEqualTo(get.status());
            assertThat(head.header("content-type")).isEqualTo(get.header("content-type"));
            if (!path.equals("/metrics")) { // a scrape's length changes from one request to the next
                assertThat(head.header("content-length")).isEqualTo(get.header("content-length"));
            }
            assertThat(head.header("allow")).isNull();
            assertThat(in.read()).as("no body after the head").isEqualTo(-1);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @ParameterizedTest(name = "{0} {1} -> Allow: {2}")
    @CsvSource(delimiter = '|', value = {
            "PUT    | /health                        | GET, HEAD",
            "POST   | /api/v1/stats                  | GET, HEAD",
            "GET    | /api/v1/messages               | POST",
            "DELETE | /api/v1/messages/batch         | GET, HEAD, POST", // GET: the receipt of a message with id "batch"
            "PUT    | /api/v1/users/u1/connections   | DELETE",
            "PATCH  | /api/v1/users/u1/contacts      | DELETE, GET, HEAD, PUT",
            "PUT    | /send                          | GET, POST",
            "HEAD   | /send                          | GET, POST",
    })
    void method_not_allowed_lists_the_allowed_methods(String method, String path, String allow) {
        RawHttp.Response r = RawHttp.exchange(server.port(), request(method, path));

        assertThat(r.status()).isEqualTo(405);
        assertThat(r.header("allow")).isEqualTo(allow);
        if (!method.equals("HEAD")) {
            assertThat(r.body()).contains("\"code\":\"method_not_allowed\"");
        }
    }
}
