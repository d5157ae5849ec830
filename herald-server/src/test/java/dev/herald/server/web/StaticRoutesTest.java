package dev.herald.server.web;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** GET /herald.js (the browser SDK), GET / (the demo page) and the favicon: public, from the jar, revalidated by ETag. */
class StaticRoutesTest {
    private TestServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void the_sdk_is_served_without_an_api_key_as_javascript_exactly_as_in_clients_js() throws IOException {
        server = TestServer.withAuth(Map.of());

        Http.Response r = server.http().anonymous().get("/herald.js");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(r.headers().firstValue("ETag").orElseThrow()).matches("\"[0-9a-f]{32}\"");
        // surefire runs in herald-server/: the packaged copy must be the source file, byte for byte
        assertThat(r.body()).isEqualTo(Files.readString(Path.of("../clients/js/herald.js")));
    }

    @Test
    void a_browser_revalidating_with_the_etag_gets_304_without_a_body() {
        server = TestServer.devMode();
        Http http = server.http();
        String etag = http.get("/herald.js").headers().firstValue("ETag").orElseThrow();

        Http.Response again = http.send(http.request("/herald.js").header("If-None-Match", etag).GET());
        Http.Response changed = http.send(http.request("/herald.js").header("If-None-Match", "\"something-else\"").GET());

        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.headers().firstValue("ETag")).hasValue(etag);
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.body()).contains("export class Client");
    }

    @Test
    void the_demo_page_in_dev_mode_offers_the_uid_login_and_uses_the_sdk() {
        server = TestServer.devMode();

        Http.Response r = server.http().get("/");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(r.headers().firstValue("ETag")).isPresent();
        assertThat(r.body()).contains("data-herald-mode=\"dev\"", "from '/herald.js'").doesNotContain(StaticRoutes.MODE_PLACEHOLDER);
    }

    @Test
    void the_demo_page_with_auth_is_public_and_says_auth() {
        server = TestServer.withAuth(Map.of());

        Http.Response r = server.http().anonymous().get("/");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("data-herald-mode=\"auth\"").doesNotContain(StaticRoutes.MODE_PLACEHOLDER);
    }

    @Test
    void head_gives_the_headers_without_the_body() {
        server = TestServer.devMode();
        Http http = server.http();

        Http.Response head = http.send(http.request("/herald.js").method("HEAD", HttpRequest.BodyPublishers.noBody()));

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(head.headers().firstValue("ETag")).isEqualTo(http.get("/herald.js").headers().firstValue("ETag"));
        assertThat(head.body()).isEmpty();
    }

    @Test
    void the_favicon_the_demo_page_asks_for_is_served_as_an_icon_without_an_api_key() throws Exception {
        server = TestServer.withAuth(Map.of());
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();

        java.net.http.HttpResponse<byte[]> ico = client.send(HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.port() + "/favicon.ico")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());

        assertThat(ico.statusCode()).isEqualTo(200);
        assertThat(ico.headers().firstValue("Content-Type")).hasValue("image/x-icon");
        assertThat(ico.body()).startsWith(0, 0, 1, 0) // ICONDIR: reserved 0, type 1 (icon)
                .isEqualTo(Files.readAllBytes(Path.of("src/main/resources/herald/icons/favicon.ico")));
        Http.Response svg = server.http().anonymous().get("/favicon.svg");
        assertThat(svg.status()).isEqualTo(200);
        assertThat(svg.headers().firstValue("Content-Type")).hasValue("image/svg+xml");
        assertThat(svg.body()).startsWith("<svg");
    }

    @Test
    void other_paths_stay_404() {
        server = TestServer.devMode();

        assertThat(server.http().get("/index.html").status()).isEqualTo(404);
        assertThat(server.http().get("/herald.js.map").status()).isEqualTo(404);
    }
}
