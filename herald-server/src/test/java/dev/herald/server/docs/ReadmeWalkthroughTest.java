package dev.herald.server.docs;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's walkthrough, run as written against a real server in dev mode with the settings the README
 * gives ({@code ./herald serve --key value} lines): its curl commands over HTTP, its browser-console lines over
 * a real WebSocket, and every answer and frame compared with what the README shows, by shape (the same fields
 * in the same order with the same JSON types, and the same values except ids, timestamps, node and connection
 * names, and values the README elides with …). The same for the batch and idempotency examples of docs/api.md
 * and the first and raw-mode examples of docs/protocol.md, each on a fresh server. How outputs are written so
 * that they are checked: {@link DocWalkthrough}.
 */
class ReadmeWalkthroughTest {
    /** Relative to the herald-server module, where Maven runs the tests. */
    private static final Path DOCS = Path.of("..");
    /** Fields whose values differ from run to run. */
    private static final Set<String> FREE = Set.of("id", "ts", "epoch", "connection", "node", "updatedAt", "createdAt", "deadline",
            "dueAt", "uptimeSeconds");

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void the_readme_walkthrough_answers_as_the_readme_shows() throws IOException {
        DocWalkthrough walkthrough = DocWalkthrough.of(Files.readString(DOCS.resolve("README.md")),
                "## See a push arrive", "## Production mode");

        assertThat(walkthrough.steps).as("runnable steps of the README walkthrough").hasSizeGreaterThan(10);
        assertThat(walkthrough.settings).as("the README gives the e-mail settings next to its contacts example")
                .containsKey("email.smtp-host");
        run(walkthrough);
    }

    @Test
    void the_batch_example_of_the_api_docs_answers_as_shown() throws IOException {
        DocWalkthrough batch = DocWalkthrough.of(Files.readString(DOCS.resolve("docs/api.md")),
                "## POST /api/v1/messages/batch", "## Idempotency");

        assertThat(batch.steps).hasSize(1);
        run(batch);
    }

    @Test
    void the_idempotency_example_of_the_api_docs_answers_as_shown() throws IOException {
        DocWalkthrough idempotency = DocWalkthrough.of(Files.readString(DOCS.resolve("docs/api.md")),
                "## Idempotency", "## GET /api/v1/messages/{id}");

        assertThat(idempotency.steps).hasSize(3);
        run(idempotency);
    }

    @Test
    void the_first_example_of_the_protocol_docs_answers_as_shown() throws IOException {
        DocWalkthrough intro = DocWalkthrough.of(Files.readString(DOCS.resolve("docs/protocol.md")),
                "# WebSocket and SSE protocol", "## Contents");

        assertThat(intro.steps).hasSize(5);
        run(intro);
    }

    @Test
    void the_raw_mode_example_of_the_protocol_docs_answers_as_shown() throws IOException {
        DocWalkthrough raw = DocWalkthrough.of(Files.readString(DOCS.resolve("docs/protocol.md")),
                "## Raw (seed) mode", "## Topics");

        assertThat(raw.steps).hasSize(4);
        run(raw);
    }

    private void run(DocWalkthrough walkthrough) {
        Map<Setting, String> settings = new EnumMap<>(Setting.class);
        walkthrough.settings.forEach((key, value) -> {
            Setting s = Setting.byKey(key);
            assertThat(s).as("README flag --" + key).isNotNull();
            settings.put(s, value);
        });
        TestServer server = TestServer.devMode(settings);
        open.add(server);
        WsClient ws = null;
        Map<WsClient, Integer> seen = new HashMap<>();
        for (DocWalkthrough.Step step : walkthrough.steps) {
            switch (step) {
                case DocWalkthrough.Curl curl -> check(curl, server.http().send(request(server, curl)));
                case DocWalkthrough.Connect connect -> {
                    ws = WsClient.connect(local(server, connect.url()), Map.of());
                    open.add(ws::close);
                    seen.put(ws, 0);
                }
                case DocWalkthrough.SendFrame send -> {
                    String uid = seedLogin(send.text());
                    int before = uid == null ? 0 : server.server().hub().sessions(uid).size();
                    ws.send(send.text());
                    if (uid != null) { // a person waits for the tab to connect before they curl
                        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().hub().sessions(uid).size() > before);
                    }
                }
                case DocWalkthrough.ExpectFrame expect -> {
                    WsClient client = ws;
                    int index = seen.get(client);
                    Awaitility.await().atMost(WsClient.WAIT).until(() -> client.frames().size() > index);
                    assertSameShape(client.frames().get(index), expect.frame(), expect.source());
                    seen.put(client, index + 1);
                }
            }
        }
    }

    private static String seedLogin(String frame) {
        try {
            return new JsonObject(frame).getString("uid");
        } catch (DecodeException | ClassCastException e) {
            return null;
        }
    }

    private static URI local(TestServer server, String url) {
        String withScheme = url.contains("://") ? url : "http://" + url;
        return URI.create(withScheme.replaceFirst("//(localhost|127\\.0\\.0\\.1):8181", "//127.0.0.1:" + server.port()));
    }

    private static HttpRequest.Builder request(TestServer server, DocWalkthrough.Curl curl) {
        HttpRequest.Builder b = HttpRequest.newBuilder(local(server, curl.url()));
        curl.headers().forEach(b::header);
        b.method(curl.method(), curl.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(curl.body()));
        return b;
    }

    private static void check(DocWalkthrough.Curl curl, Http.Response r) {
        if (curl.status() != null) {
            assertThat(r.status()).as("status of %s: %s", curl.source(), r.body()).isEqualTo(curl.status());
        } else {
            assertThat(r.status()).as("status of %s: %s", curl.source(), r.body()).isBetween(200, 299);
        }
        if (curl.expectedBody() != null) {
            assertSameShape(r.body(), curl.expectedBody(), curl.source());
        }
    }

    /** The actual answer has the documented one's shape; raw (non-JSON) frames must be equal. */
    static void assertSameShape(String actual, String documented, String where) {
        Object doc = parse(documented);
        if (doc == null) {
            assertThat(actual).as("%s (raw frame)", where).isEqualTo(documented);
            return;
        }
        Object got = parse(actual);
        assertThat(got).as("%s: the server answered %s, not JSON", where, actual).isNotNull();
        compare(got, doc, "$", where + "\n  documented: " + documented + "\n  actual:     " + actual);
    }

    private static Object parse(String text) {
        String t = text.strip();
        if (!t.startsWith("{") && !t.startsWith("[")) {
            return null;
        }
        return Json.decodeValue(t);
    }

    private static void compare(Object actual, Object documented, String path, String context) {
        if (documented instanceof JsonObject d) {
            assertThat(actual).as("%s is an object\n%s", path, context).isInstanceOf(JsonObject.class);
            JsonObject a = (JsonObject) actual;
            assertThat(new ArrayList<>(a.fieldNames())).as("fields of %s\n%s", path, context)
                    .containsExactlyElementsOf(d.fieldNames());
            for (String field : d.fieldNames()) {
                Object dv = d.getValue(field);
                Object av = a.getValue(field);
                if (FREE.contains(field) || (dv instanceof String s && s.contains("…"))) {
                    assertThat(type(av)).as("type of %s.%s\n%s", path, field, context).isEqualTo(type(dv));
                } else {
                    compare(av, dv, path + "." + field, context);
                }
            }
        } else if (documented instanceof JsonArray d) {
            assertThat(actual).as("%s is an array\n%s", path, context).isInstanceOf(JsonArray.class);
            JsonArray a = (JsonArray) actual;
            assertThat(a.size()).as("length of %s\n%s", path, context).isEqualTo(d.size());
            for (int i = 0; i < d.size(); i++) {
                compare(a.getValue(i), d.getValue(i), path + "[" + i + "]", context);
            }
        } else if (documented instanceof Number n) {
            assertThat(actual).as("%s\n%s", path, context).isInstanceOf(Number.class);
            assertThat(((Number) actual).doubleValue()).as("%s\n%s", path, context).isEqualTo(n.doubleValue());
        } else if (documented instanceof String s && CURSOR.matcher(s).matches()) {
            // a stream cursor: the position is what the example shows, the epoch differs from run to run
            assertThat(actual).as("%s\n%s", path, context).asString().matches(s.substring(0, s.indexOf('@')) + "@[0-9a-f]{8}");
        } else {
            assertThat(actual).as("%s\n%s", path, context).isEqualTo(documented);
        }
    }

    /** {@code <pos>@<epoch>} as this store writes it. */
    private static final java.util.regex.Pattern CURSOR = java.util.regex.Pattern.compile("[0-9]+@[0-9a-f]{8}");

    private static String type(Object v) {
        return v == null ? "null" : v instanceof Number ? "number" : v.getClass().getSimpleName();
    }
}
