package dev.herald.server.api;

import dev.herald.server.auth.ApiKeys;
import dev.herald.server.config.Setting;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP API behind Authorization: Bearer &lt;api key&gt; once auth is configured. */
class ApiKeyTest {
    private static final String SECOND_KEY = "second-api-key-abcdefghij";
    private final TestServer server = TestServer.withAuth(Map.of(Setting.AUTH_API_KEYS, TestServer.API_KEY + ", " + SECOND_KEY));
    private final Http anonymous = server.http().anonymous();
    private final Http wrongKey = new Http(URI.create("http://127.0.0.1:" + server.port()), "wrong-key-0123456789abcdef");

    @AfterEach
    void stop() {
        server.close();
    }

    private static void assertUnauthorized(Http.Response r) {
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.errorCode()).isEqualTo("unauthorized");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"herald\"");
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonObject error = new JsonObject(r.body()).getJsonObject("error");
        assertThat(error.fieldNames()).containsExactlyInAnyOrder("code", "message");
    }

    @Test
    void send_without_key_is_401_unauthorized_with_www_authenticate() {
        assertUnauthorized(anonymous.get("/send?uid=1&message=x"));
        assertUnauthorized(anonymous.postForm("/send", "uid=1&message=x"));
    }

    @Test
    void api_v1_without_key_is_401_unauthorized() {
        assertUnauthorized(anonymous.get("/api/v1/stats"));
        assertUnauthorized(anonymous.get("/api/v1/users/1"));
        assertUnauthorized(anonymous.postJson("/api/v1/messages", "{\"to\":{\"all\":true},\"data\":1}"));
        assertUnauthorized(anonymous.postJson("/api/v1/messages/batch", "[{\"to\":{\"all\":true},\"data\":1}]"));
        assertUnauthorized(anonymous.delete("/api/v1/users/1/connections"));
        assertUnauthorized(anonymous.get("/api/v1/no-such-thing")); // no probing of the API's shape without a key
    }

    @Test
    void metrics_without_key_is_401_unauthorized() {
        assertUnauthorized(anonymous.get("/metrics"));
    }

    @Test
    void missing_key_and_wrong_key_are_told_apart_in_the_message() {
        assertThat(anonymous.get("/api/v1/stats").body()).contains("missing Authorization");
        assertThat(wrongKey.get("/api/v1/stats").body()).contains("not valid");
    }

    @Test
    void wrong_key_is_401_everywhere() {
        assertUnauthorized(wrongKey.get("/send?uid=1&message=x"));
        assertUnauthorized(wrongKey.get("/api/v1/stats"));
        assertUnauthorized(wrongKey.get("/metrics"));
    }

    @Test
    void key_in_another_scheme_or_with_a_suffix_is_refused() {
        assertUnauthorized(anonymous.send(anonymous.request("/api/v1/stats").header("Authorization", "Basic " + TestServer.API_KEY)));
        assertUnauthorized(anonymous.send(anonymous.request("/api/v1/stats").header("Authorization", "Bearer " + TestServer.API_KEY + "x")));
        assertUnauthorized(anonymous.send(anonymous.request("/api/v1/stats").header("Authorization", TestServer.API_KEY)));
    }

    @Test
    void right_key_is_accepted_on_send_api_and_metrics() {
        WsClient client = server.connect("token=" + dev.herald.server.testing.Tokens.hs256("1"));
        client.awaitFrame(f -> f.contains("\"type\":\"welcome\""));

        Http.Response send = server.http().get("/send?uid=1&message=x");
        assertThat(send.status()).isEqualTo(200);
        assertThat(send.body()).contains("\"delivered\":1");
        assertThat(server.http().get("/api/v1/stats").status()).isEqualTo(200);
        assertThat(server.http().get("/metrics").status()).isEqualTo(200);
    }

    @Test
    void every_configured_key_is_accepted_and_the_bearer_scheme_is_case_insensitive() {
        Http second = new Http(URI.create("http://127.0.0.1:" + server.port()), SECOND_KEY);

        assertThat(second.get("/api/v1/stats").status()).isEqualTo(200);
        assertThat(anonymous.send(anonymous.request("/api/v1/stats").header("Authorization", "bearer " + TestServer.API_KEY)).status())
                .isEqualTo(200);
    }

    @Test
    void health_stays_public() {
        assertThat(anonymous.get("/health").status()).isEqualTo(200);
        assertThat(anonymous.get("/health/live").status()).isEqualTo(200);
        assertThat(anonymous.get("/health/ready").status()).isEqualTo(200);
        assertThat(wrongKey.get("/health").status()).isEqualTo(200);
    }

    @Test
    void api_keys_match_only_the_configured_keys() {
        ApiKeys keys = new ApiKeys(List.of("first-key-0123456789", "second-key-0123456789"));

        assertThat(keys.isEmpty()).isFalse();
        assertThat(keys.matches("first-key-0123456789")).isTrue();
        assertThat(keys.matches("second-key-0123456789")).isTrue();
        assertThat(keys.matches("first-key-012345678")).isFalse();
        assertThat(keys.matches("first-key-0123456789 ")).isFalse();
        assertThat(keys.matches("FIRST-KEY-0123456789")).isFalse();
        assertThat(keys.matches("")).isFalse();
        assertThat(keys.matches(null)).isFalse();
    }

    @Test
    void no_configured_keys_match_nothing() {
        ApiKeys none = new ApiKeys(List.of());

        assertThat(none.isEmpty()).isTrue();
        assertThat(none.matches("")).isFalse();
        assertThat(none.matches("anything-at-all-here")).isFalse();
    }
}
