package dev.herald.server.api;

import dev.herald.core.error.ErrorCode;
import dev.herald.server.testing.LogCapture;
import dev.herald.server.testing.RawHttp;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.TestServers;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /send} with a form and a Content-Length is answered without the router ({@link PlainForm}); the same
 * form sent chunked ({@code Transfer-Encoding}) still goes through the router and {@code BodyHandler}. Both must
 * give the same answers for every body: same status, header names and body (ids aside), same refusals, same
 * deliveries, and no error log for a client's mistake.
 */
class SendFormShortcutTest {
    private final TestServers servers = new TestServers();

    @AfterEach
    void stop() {
        servers.close();
    }

    /** The form as the seed's clients send it: Content-Length, so {@link PlainForm} takes it. */
    private static RawHttp.Response direct(TestServer s, String target, String body, String apiKey) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return RawHttp.exchange(s.port(), head(target, apiKey) + "Content-Length: " + bytes.length + "\r\n\r\n"
                + new String(bytes, StandardCharsets.ISO_8859_1));
    }

    /** The same form in one chunk: the router's way. */
    private static RawHttp.Response routed(TestServer s, String target, String body, String apiKey) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String chunk = bytes.length == 0 ? "" : Integer.toHexString(bytes.length) + "\r\n"
                + new String(bytes, StandardCharsets.ISO_8859_1) + "\r\n";
        return RawHttp.exchange(s.port(), head(target, apiKey) + "Transfer-Encoding: chunked\r\n\r\n" + chunk + "0\r\n\r\n");
    }

    private static String head(String target, String apiKey) {
        return "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + (apiKey == null ? "" : "Authorization: Bearer " + apiKey + "\r\n")
                + "Content-Type: application/x-www-form-urlencoded\r\n";
    }

    private static void assertSameAnswer(String what, RawHttp.Response direct, RawHttp.Response routed) {
        assertThat(direct.status()).as(what + ": " + direct.body()).isEqualTo(routed.status());
        assertThat(direct.headers().keySet()).as(what).isEqualTo(routed.headers().keySet());
        assertThat(direct.header("content-type")).as(what).isEqualTo(routed.header("content-type"));
        if (direct.status() >= 400) {
            assertThat(direct.body()).as(what).isEqualTo(routed.body());
        } else {
            assertThat(new JsonObject(direct.body()).fieldNames()).as(what)
                    .isEqualTo(new JsonObject(routed.body()).fieldNames());
        }
    }

    @Test
    void a_form_is_delivered_and_answered_as_through_the_router() {
        TestServer s = servers.devMode(Map.of());
        WsClient seed = s.connectSeed("u1");

        RawHttp.Response direct = direct(s, "/send", "uid=u1&message=hello+there%21&persist=false", null);
        seed.awaitFrame("hello there!"::equals);
        RawHttp.Response routed = routed(s, "/send", "uid=u1&message=routed&persist=false", null);
        seed.awaitFrame("routed"::equals);

        assertThat(direct.status()).isEqualTo(200);
        assertSameAnswer("delivered", direct, routed);
        assertThat(new JsonObject(direct.body()).getInteger("delivered")).isEqualTo(1);
        assertThat(new JsonObject(direct.body()).getString("id")).hasSize(26);
    }

    @Test
    void names_values_and_the_query_read_as_through_the_router() {
        TestServer s = servers.devMode(Map.of());
        WsClient seed = s.connectSeed("u1");
        String[][] cases = { // form, query, the frame it delivers
                {"UID=u1&Message=upper+case+names&persist=false", "", "upper case names"},
                {"uid=u1&message=first&message=second&persist=false", "", "first"},
                {"uid=u1&message=a=b&persist=false", "", "a=b"},
                {"&&uid=u1&&message=empty+fields&persist=false", "", "empty fields"},
                {"uid=u1&message=%E4%BD%A0%E5%A5%BD%20%7B%7D&persist=false", "", "你好 {}"},
                {"uid=u1&message=from+the+body&persist=false", "?message=from+the+query", "from the query"},
                {"uid=u1&persist=false", "?message=only+in+the+query", "only in the query"},
        };
        for (String[] c : cases) {
            RawHttp.Response direct = direct(s, "/send" + c[1], c[0], null);
            seed.awaitFrame(c[2]::equals);
            RawHttp.Response routed = routed(s, "/send" + c[1], c[0], null);
            seed.awaitFrame(c[2]::equals);
            assertThat(direct.status()).as(c[0]).isEqualTo(200);
            assertSameAnswer(c[0] + c[1], direct, routed);
        }
    }

    @Test
    void refusals_and_errors_are_the_routers_without_an_error_log() {
        TestServer s = servers.devMode(Map.of());
        String fields = "a=1&".repeat(300); // over Vert.x's form field limit
        String[][] cases = { // form, query
                {"message=x", ""}, {"uid=1", ""}, {"uid=&message=x", ""}, {"", ""},
                {"uid=nobody&message=x&persist=false", ""}, {"uid=a%01b&message=x", ""},
                {"uid=%ZZ&message=x", ""}, {"=x&uid=1&message=y", ""},
                {fields + "uid=1&message=x", ""},
                {"uid=1&message=x", "?uid=%ZZ"}, {"uid=1&message=x", "?persist=%G0"},
        };
        try (LogCapture logs = LogCapture.start()) {
            for (String[] c : cases) {
                String what = c[0].length() > 60 ? c[0].substring(0, 20) + "…" : c[0] + c[1];
                RawHttp.Response direct = direct(s, "/send" + c[1], c[0], null);
                RawHttp.Response routed = routed(s, "/send" + c[1], c[0], null);
                assertThat(direct.status()).as(what + ": " + direct.body()).isGreaterThanOrEqualTo(400);
                assertSameAnswer(what, direct, routed);
            }
            assertThat(logs.errorsOrTraces()).isEmpty();
        }
    }

    @Test
    void odd_bodies_are_read_as_by_the_router() {
        TestServer s = servers.devMode(Map.of());

        for (String body : new String[] {"uid=away&message=%E4%BD", "uid=away&message=x\r\nmore", "uid=away&message=x\rmore",
                "uid=away&message=x\nuid=other", "uid=away&message", "uid=away&message=&persist"}) {
            RawHttp.Response direct = direct(s, "/send", body, null);
            RawHttp.Response routed = routed(s, "/send", body, null);
            assertSameAnswer(body, direct, routed);
        }
    }

    @Test
    void a_malformed_query_escape_is_refused_before_the_api_key_as_by_the_router() {
        TestServer s = servers.withAuth(Map.of());

        RawHttp.Response direct = direct(s, "/send?uid=%ZZ", "message=x", null);
        RawHttp.Response routed = routed(s, "/send?uid=%ZZ", "message=x", null);

        assertThat(direct.status()).isEqualTo(400);
        assertThat(new JsonObject(direct.body()).getJsonObject("error").getString("code"))
                .isEqualTo(ErrorCode.INVALID_REQUEST.code());
        assertSameAnswer("malformed query, no key", direct, routed);
    }

    @Test
    void api_key_refusals_are_the_routers() {
        TestServer s = servers.withAuth(Map.of());

        for (String key : new String[] {null, "not-the-key"}) {
            RawHttp.Response direct = direct(s, "/send", "uid=u1&message=x", key);
            RawHttp.Response routed = routed(s, "/send", "uid=u1&message=x", key);
            assertThat(direct.status()).as(String.valueOf(key)).isEqualTo(401);
            assertSameAnswer("key " + key, direct, routed);
            assertThat(direct.header("www-authenticate")).isEqualTo(routed.header("www-authenticate")).isNotNull();
        }
        assertThat(direct(s, "/send", "uid=u1&message=x", TestServer.API_KEY).status()).as("with the key").isEqualTo(202);
    }

    @Test
    void a_durable_form_to_an_offline_user_is_queued_with_202() {
        TestServer s = servers.devMode(Map.of());

        RawHttp.Response direct = direct(s, "/send", "uid=away&message=later", null);
        RawHttp.Response routed = routed(s, "/send", "uid=away&message=later", null);

        assertThat(direct.status()).isEqualTo(202);
        assertSameAnswer("queued", direct, routed);
        assertThat(new JsonObject(direct.body()).getBoolean("queued")).isTrue();
    }
}
