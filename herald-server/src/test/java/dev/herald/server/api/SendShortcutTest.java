package dev.herald.server.api;

import dev.herald.core.error.ErrorCode;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.TestServers;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /send} is answered without vertx-web's router ({@link ApiRoutes#withSendShortcut}); {@code POST /send}
 * with the same query still goes through the router. Both must give the same answers: same status, headers, body
 * shape, refusals and failures, on a real server with real clients.
 */
class SendShortcutTest {
    private final TestServers servers = new TestServers();

    @AfterEach
    void stop() {
        servers.close();
    }

    private static Http.Response postNoBody(Http http, String path) {
        return http.send(http.request(path).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private static TreeSet<String> headerNames(Http.Response r) {
        return new TreeSet<>(r.headers().map().keySet());
    }

    @Test
    void get_send_delivers_and_answers_as_the_routed_send_does() {
        TestServer s = servers.devMode(Map.of());
        WsClient seed = s.connectSeed("u1");

        Http.Response direct = s.http().get("/send?uid=u1&message=hello+there%21&persist=false");
        Http.Response routed = postNoBody(s.http(), "/send?uid=u1&message=routed&persist=false");

        assertThat(seed.awaitFrame("hello there!"::equals)).isEqualTo("hello there!");
        seed.awaitFrame("routed"::equals);
        assertThat(direct.status()).isEqualTo(200).isEqualTo(routed.status());
        assertThat(headerNames(direct)).isEqualTo(headerNames(routed));
        assertThat(direct.headers().firstValue("Content-Type")).isEqualTo(routed.headers().firstValue("Content-Type"))
                .contains("application/json; charset=utf-8");
        JsonObject body = new JsonObject(direct.body());
        assertThat(body.fieldNames()).containsExactly("id", "delivered");
        assertThat(body.getInteger("delivered")).isEqualTo(1);
        assertThat(body.getString("id")).hasSize(26).isNotEqualTo(new JsonObject(routed.body()).getString("id"));
        assertThat(new JsonObject(routed.body()).fieldNames()).containsExactly("id", "delivered");
    }

    @Test
    void a_durable_send_to_an_offline_user_is_queued_with_202_as_through_the_router() {
        TestServer s = servers.devMode(Map.of());

        Http.Response direct = s.http().get("/send?uid=away&message=later");
        Http.Response routed = postNoBody(s.http(), "/send?uid=away&message=later");

        assertThat(direct.status()).isEqualTo(202).isEqualTo(routed.status());
        assertThat(new JsonObject(direct.body()).fieldNames()).containsExactly("id", "delivered", "queued");
        assertThat(new JsonObject(direct.body()).getBoolean("queued")).isTrue();
    }

    @Test
    void api_key_refusals_are_the_routers() {
        TestServer s = servers.withAuth(Map.of());
        Http anonymous = s.http().anonymous();
        Http wrongKey = new Http(java.net.URI.create("http://127.0.0.1:" + s.port() + "/"), "not-the-key");

        for (Http http : new Http[] {anonymous, wrongKey}) {
            Http.Response direct = http.get("/send?uid=u1&message=x");
            Http.Response routed = postNoBody(http, "/send?uid=u1&message=x");
            HttpErrorsTest.assertError(direct, ErrorCode.UNAUTHORIZED);
            assertThat(direct.body()).isEqualTo(routed.body());
            assertThat(direct.headers().firstValue("WWW-Authenticate")).isPresent()
                    .isEqualTo(routed.headers().firstValue("WWW-Authenticate"));
        }
        assertThat(s.http().get("/send?uid=u1&message=x").status()).as("with the key").isEqualTo(202);
    }

    @Test
    void errors_of_the_core_answer_as_through_the_router() {
        TestServer s = servers.devMode(Map.of());

        for (String query : new String[] {"?message=x", "?uid=1", "?uid=&message=x", "?uid=nobody&message=x&persist=false",
                "?uid=a%01b&message=x"}) {
            Http.Response direct = s.http().get("/send" + query);
            Http.Response routed = postNoBody(s.http(), "/send" + query);
            assertThat(direct.status()).as(query).isGreaterThanOrEqualTo(400).isEqualTo(routed.status());
            assertThat(direct.body()).as(query).isEqualTo(routed.body());
            assertThat(headerNames(direct)).as(query).isEqualTo(headerNames(routed));
        }
    }

    /** java.net.URI refuses {@code %ZZ}, so this request is written on a plain socket. */
    @Test
    void a_malformed_escape_is_a_bad_request_as_through_the_router() throws Exception {
        TestServer s = servers.devMode(Map.of());

        String direct = raw(s.port(), "GET /send?uid=1&message=%ZZ");
        String routed = raw(s.port(), "POST /send?uid=1&message=%ZZ");

        assertThat(direct).startsWith("HTTP/1.1 400 ");
        assertThat(direct).endsWith(routed.substring(routed.indexOf("\r\n\r\n")))
                .contains("\"code\":\"invalid_request\"").doesNotContain("ZZ").doesNotContain("Exception");
        assertThat(routed).startsWith("HTTP/1.1 400 ");
    }

    /** The router looks at the escapes before the API key: so does the shortcut, for a request without a key too. */
    @Test
    void a_malformed_escape_without_an_api_key_is_a_bad_request_as_through_the_router() throws Exception {
        TestServer s = servers.withAuth(Map.of());

        String direct = raw(s.port(), "GET /send?uid=%ZZ&message=x");
        String routed = raw(s.port(), "POST /send?uid=%ZZ&message=x");

        assertThat(routed).startsWith("HTTP/1.1 400 ");
        assertThat(direct).startsWith("HTTP/1.1 400 ");
        assertThat(direct.substring(direct.indexOf("\r\n\r\n"))).isEqualTo(routed.substring(routed.indexOf("\r\n\r\n")));
    }

    private static String raw(int port, String requestLine) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((requestLine + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void every_send_is_timed_once_as_through_the_router() {
        TestServer s = servers.devMode(Map.of());
        WsClient seed = s.connectSeed("u1");

        assertThat(s.http().get("/send?uid=u1&message=a&persist=false").status()).isEqualTo(200); // answered at once
        assertThat(s.http().postForm("/send", "uid=u1&message=b&persist=false").status()).isEqualTo(200); // form
        assertThat(s.http().get("/send?uid=u1&message=c").status()).isEqualTo(200); // durable: after the commit
        HttpErrorsTest.assertError(s.http().get("/send?message=x"), ErrorCode.UID_REQUIRED); // thrown at once
        HttpErrorsTest.assertError(s.http().get("/send?uid=nobody&message=x&persist=false"), ErrorCode.USER_OFFLINE);
        assertThat(postNoBody(s.http(), "/send?uid=u1&message=d&persist=false").status()).isEqualTo(200); // router
        seed.awaitFrame("d"::equals);

        Http.Response metrics = s.http().get("/metrics");
        assertThat(metrics.metric("herald_publish_latency_seconds_count")).isEqualTo(6);
        assertThat(metrics.metric("herald_publish_latency_seconds_sum")).isPositive();
    }

    @Test
    void other_spellings_of_the_path_still_reach_the_router() {
        TestServer s = servers.devMode(Map.of());

        assertThat(s.http().send(s.http().request("/send?uid=1&message=x")
                .method("HEAD", HttpRequest.BodyPublishers.noBody())).status()).isEqualTo(405);
        HttpErrorsTest.assertError(s.http().get("/sendx?uid=1&message=x"), ErrorCode.NOT_FOUND);
    }
}
