package dev.herald.server.ws;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The push-center article's own test, step by step, and the seed behaviours Herald keeps. */
class SeedCompatibilityTest {
    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void browser_login_then_curl_send_shows_hello_world_raw() {
        // ws = new WebSocket('ws://127.0.0.1:8181/ws'); ws.send('{"uid": "123"}')
        WsClient browser = server.connectSeed("123");

        // curl "http://localhost:8181/send?uid=123&message=Hello%20World"
        Http.Response response = server.http().get("/send?uid=123&message=Hello%20World");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("\"delivered\":1");
        assertThat(browser.awaitFrame(f -> true)).isEqualTo("Hello World");
        assertThat(browser.frames()).containsExactly("Hello World"); // raw: no welcome, no envelope
    }

    @Test
    void numeric_uid_in_login_frame_is_accepted() {
        WsClient browser = server.connect();
        browser.send("{\"uid\": 123}");
        org.awaitility.Awaitility.await().until(() -> !server.server().hub().sessions("123").isEmpty());

        server.http().get("/send?uid=123&message=hi");

        assertThat(browser.awaitFrame(f -> true)).isEqualTo("hi");
    }

    @Test
    void send_accepts_a_posted_form_as_the_seed_does() {
        WsClient browser = server.connectSeed("42");

        Http.Response response = server.http().postForm("/send", "uid=42&message=%E4%BD%A0%E5%A5%BD%20%7B%7D");

        assertThat(response.status()).isEqualTo(200);
        assertThat(browser.awaitFrame(f -> true)).isEqualTo("你好 {}");
    }

    @Test
    void send_without_uid_is_400_uid_required() {
        Http.Response response = server.http().get("/send?message=x");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorCode()).isEqualTo("uid_required");
        assertThat(response.body()).startsWith("{\"error\":{\"code\":\"uid_required\",\"message\":");
    }

    @Test
    void send_to_a_user_without_connection_is_queued_and_arrives_raw_when_the_user_connects() {
        Http.Response response = server.http().get("/send?uid=later&message=while%20you%20were%20away");

        assertThat(response.status()).as(response.body()).isEqualTo(202);
        assertThat(new JsonObject(response.body()).getBoolean("queued")).isTrue();
        WsClient client = server.connect();
        client.send("{\"uid\": \"later\"}");
        assertThat(client.awaitFrame(f -> true)).isEqualTo("while you were away");
    }

    @Test
    void fire_and_forget_send_to_a_user_without_connection_is_404_user_offline() {
        Http.Response response = server.http().get("/send?uid=nobody&message=x&persist=false");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.errorCode()).isEqualTo("user_offline");
    }

    @Test
    void raw_body_is_sent_byte_for_byte_even_when_it_looks_like_json() {
        WsClient browser = server.connectSeed("7");

        server.http().get("/send?uid=7&message=%7B%22progress%22%3A%2050%7D");

        assertThat(browser.awaitFrame(f -> true)).isEqualTo("{\"progress\": 50}");
    }
}
