package dev.herald.server.api;

import dev.herald.core.error.ErrorCode;
import dev.herald.server.config.Setting;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.RawHttp;
import dev.herald.server.testing.RawWebSocket;
import dev.herald.server.testing.SwitchableBroker;
import dev.herald.server.testing.SwitchableStore;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.TestServers;
import dev.herald.server.testing.Tokens;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.http.HttpRequest;
import java.net.http.WebSocketHandshakeException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every code of the HTTP error catalog, produced by a real request against a real server, with its
 * status and the one JSON shape {@code {"error":{"code":…,"message":…}}}.
 */
class HttpErrorsTest {
    private static final String VALID_MESSAGE = "{\"to\":{\"users\":[\"1\"]},\"data\":1}";
    private static final String VALID_MESSAGE_NOT_PERSISTED = "{\"to\":{\"users\":[\"1\"]},\"data\":1,\"persist\":false}";
    private final TestServers servers = new TestServers();

    @AfterEach
    void stop() {
        servers.close();
    }

    private TestServer dev(Map<Setting, String> overrides) {
        return servers.devMode(overrides);
    }

    private TestServer dev() {
        return dev(Map.of());
    }

    private TestServer auth(Map<Setting, String> overrides) {
        return servers.withAuth(overrides);
    }

    private TestServer auth() {
        return auth(Map.of());
    }

    private static Http.Response put(Http http, String path) {
        return http.send(http.request(path).PUT(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json"));
    }

    private static Http.Response post(Http http, String path, String contentType, String body) {
        HttpRequest.Builder b = http.request(path).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b);
    }

    private static Http.Response withOrigin(Http http, String path, String origin) {
        return http.send(http.request(path).header("Origin", origin).GET());
    }

    /** Status, content type and the exact JSON shape of an error; no stack trace or exception names leak. */
    static JsonObject assertError(Http.Response r, ErrorCode code) {
        assertThat(r.status()).as("status of %s; body %s", code.code(), r.body()).isEqualTo(code.httpStatus());
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonObject body = new JsonObject(r.body());
        assertThat(body.fieldNames()).containsExactly("error");
        JsonObject error = body.getJsonObject("error");
        assertThat(error.fieldNames()).containsExactlyInAnyOrder("code", "message");
        assertThat(error.getString("code")).isEqualTo(code.code());
        assertThat(error.getString("message")).isNotBlank();
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain(".java:").doesNotContain("dev.herald.");
        return error;
    }

    static String message(Http.Response r, ErrorCode code) {
        return assertError(r, code).getString("message");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ErrorCode.class)
    void every_catalogued_error_code_is_produced_by_a_real_request_with_its_status_and_json_shape(ErrorCode code) {
        Http.Response response = switch (code) { // exhaustive: a new code does not compile until it gets a request here
            case UID_REQUIRED -> dev().http().get("/send?message=x");
            case MESSAGE_REQUIRED -> dev().http().get("/send?uid=1");
            case INVALID_JSON -> dev().http().postJson("/api/v1/messages", "{\"to\":");
            case INVALID_REQUEST -> dev().http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"1\"]}}");
            case BATCH_TOO_LARGE -> dev(Map.of(Setting.API_MAX_BATCH, "1")).http()
                    .postJson("/api/v1/messages/batch", "[" + VALID_MESSAGE + "," + VALID_MESSAGE + "]");
            case UNAUTHORIZED -> auth().http().anonymous().get("/api/v1/stats");
            case ORIGIN_NOT_ALLOWED -> withOrigin(auth().http().anonymous(), "/ws", "https://evil.example");
            case FORBIDDEN -> auth().http().anonymous().get("/api/v1/events?uid=u1");
            case TOO_MANY_USER_CONNECTIONS -> {
                TestServer s = dev(Map.of(Setting.WS_MAX_CONNECTIONS_PER_USER, "1"));
                s.connectHerald("u1");
                yield s.http().get("/api/v1/events?uid=u1");
            }
            case USER_OFFLINE -> dev().http().get("/send?uid=nobody&message=x&persist=false");
            case INVALID_CURSOR -> dev().http().get("/api/v1/users/u1/messages?since=yesterday");
            case MESSAGE_NOT_FOUND -> dev().http().get("/api/v1/messages/01KAYZ5J4V0000000000000000");
            case STORE_UNAVAILABLE -> {
                SwitchableStore store = new SwitchableStore();
                TestServer s = servers.devMode(Map.of(), store);
                store.fail(true);
                yield s.http().postJson("/api/v1/messages", VALID_MESSAGE);
            }
            case NOT_FOUND -> dev().http().get("/no/such/path");
            case CONTACTS_NOT_FOUND -> dev().http().get("/api/v1/users/nobody/contacts");
            case DEAD_LETTER_NOT_FOUND -> dev().http().get("/api/v1/dead-letters/01KAYZ5J4V0000000000000000");
            case METHOD_NOT_ALLOWED -> put(dev().http(), "/api/v1/stats");
            case PAYLOAD_TOO_LARGE -> dev(Map.of(Setting.HTTP_MAX_BODY_SIZE, "1KiB")).http()
                    .postJson("/api/v1/messages", "{\"to\":{\"all\":true},\"data\":\"" + "x".repeat(2048) + "\"}");
            case UNSUPPORTED_MEDIA_TYPE -> post(dev().http(), "/api/v1/messages", "text/plain", VALID_MESSAGE);
            case IDEMPOTENCY_KEY_REUSED -> {
                TestServer s = dev();
                s.http().send(s.http().request("/send?uid=u&message=one").header("Idempotency-Key", "k").GET());
                yield s.http().send(s.http().request("/send?uid=u&message=two").header("Idempotency-Key", "k").GET());
            }
            case UPGRADE_REQUIRED -> dev().http().get("/ws");
            case INTERNAL_ERROR -> {
                SwitchableBroker broker = new SwitchableBroker();
                TestServer s = servers.devMode(Map.of(), broker);
                broker.failPublishes(true);
                yield s.http().postJson("/api/v1/messages", VALID_MESSAGE_NOT_PERSISTED);
            }
            case TOO_MANY_CONNECTIONS -> {
                TestServer s = dev(Map.of(Setting.WS_MAX_CONNECTIONS, "1"));
                s.connectHerald("holder");
                yield RawWebSocket.refusedUpgrade(s.wsUri("uid=one-too-many"));
            }
            case BAD_REQUEST -> RawHttp.exchange(dev().port(), "GARBAGE\r\n\r\n").asHttp();
            case REQUEST_TIMEOUT -> RawHttp.unprompted(dev(Map.of(Setting.HTTP_HEADER_TIMEOUT, "200ms")).port(),
                    "GET /health HTTP/1.1\r\n").asHttp();
            case URI_TOO_LONG -> RawHttp.get(dev().port(), "/" + "a".repeat(64 * 1024)).asHttp();
            case HEADERS_TOO_LARGE -> RawHttp.exchange(dev().port(), "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: "
                    + "a".repeat(64 * 1024) + "\r\n\r\n").asHttp();
            case TOO_MANY_CONNECTIONS_FROM_ADDRESS -> {
                TestServer s = dev(Map.of(Setting.HTTP_MAX_CONNECTIONS_PER_ADDRESS, "1"));
                try (java.net.Socket held = new java.net.Socket("127.0.0.1", s.port())) {
                    org.awaitility.Awaitility.await().until(() -> s.server().connectionLimit().tcpConnections() == 1);
                    yield RawHttp.unprompted(s.port(), "").asHttp();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            case SHUTTING_DOWN -> {
                TestServer s = dev();
                s.server().beginDraining();
                yield s.http().get("/api/v1/stats");
            }
        };
        assertError(response, code);
    }

    @Test
    void uid_required_also_for_an_empty_uid_and_for_posted_forms() {
        TestServer s = dev();

        assertError(s.http().get("/send?uid=&message=x"), ErrorCode.UID_REQUIRED);
        assertError(s.http().postForm("/send", "message=x"), ErrorCode.UID_REQUIRED);
    }

    @Test
    void message_required_when_send_has_no_message() {
        TestServer s = dev();
        s.connectSeed("1");

        assertError(s.http().get("/send?uid=1"), ErrorCode.MESSAGE_REQUIRED);
        assertError(s.http().postForm("/send", "uid=1"), ErrorCode.MESSAGE_REQUIRED);
    }

    @Test
    void empty_message_is_a_message_and_not_an_error() {
        TestServer s = dev();
        WsClient seed = s.connectSeed("1");

        assertThat(s.http().get("/send?uid=1&message=").status()).isEqualTo(200);
        assertThat(seed.awaitFrame(f -> true)).isEmpty();
    }

    @Test
    void invalid_json_names_the_line_and_column() {
        String body = "{\n  \"to\": {\"users\": [\"1\"]},\n  \"data\": }\n";

        String message = message(dev().http().postJson("/api/v1/messages", body), ErrorCode.INVALID_JSON);

        assertThat(message).containsPattern("line 3, column \\d+");
    }

    @Test
    void an_unexpected_failure_is_internal_error_without_details_and_the_server_recovers() {
        SwitchableBroker broker = new SwitchableBroker();
        TestServer s = servers.devMode(Map.of(), broker);

        broker.failPublishes(true);
        Http.Response failed = s.http().postJson("/api/v1/messages", VALID_MESSAGE_NOT_PERSISTED);
        broker.failPublishes(false);
        Http.Response recovered = s.http().postJson("/api/v1/messages", VALID_MESSAGE_NOT_PERSISTED);

        assertError(failed, ErrorCode.INTERNAL_ERROR);
        assertThat(failed.body()).doesNotContain("broker down").doesNotContain("IllegalStateException");
        assertThat(broker.failures()).isEqualTo(1);
        assertThat(recovered.status()).isEqualTo(200);
    }

    @Test
    void invalid_json_for_an_empty_body_and_for_trailing_garbage() {
        TestServer s = dev();

        assertError(s.http().postJson("/api/v1/messages", ""), ErrorCode.INVALID_JSON);
        assertError(s.http().postJson("/api/v1/messages", VALID_MESSAGE + " x"), ErrorCode.INVALID_JSON);
        assertError(s.http().postJson("/api/v1/messages/batch", "[" + VALID_MESSAGE), ErrorCode.INVALID_JSON);
    }

    @Test
    void invalid_request_names_an_unknown_field() {
        TestServer s = dev();

        assertThat(message(s.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"1\"]},\"data\":1,\"colour\":\"red\"}"),
                ErrorCode.INVALID_REQUEST)).contains("'colour'");
        assertThat(message(s.http().postJson("/api/v1/messages", "{\"to\":{\"everyone\":true},\"data\":1}"),
                ErrorCode.INVALID_REQUEST)).contains("'to.everyone'");
    }

    @Test
    void invalid_request_when_to_or_data_is_missing() {
        TestServer s = dev();

        assertThat(message(s.http().postJson("/api/v1/messages", "{\"data\":1}"), ErrorCode.INVALID_REQUEST)).contains("to is required");
        assertThat(message(s.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"1\"]}}"), ErrorCode.INVALID_REQUEST))
                .contains("data is required");
        assertThat(message(s.http().postJson("/api/v1/messages", "{\"to\":{},\"data\":1}"), ErrorCode.INVALID_REQUEST))
                .contains("no recipient");
        assertThat(message(s.http().postJson("/api/v1/messages", "[]"), ErrorCode.INVALID_REQUEST)).contains("JSON object");
    }

    @Test
    void invalid_request_for_a_bad_topic_name() {
        String message = message(dev().http().postJson("/api/v1/messages", "{\"to\":{\"topics\":[\"bad topic!\"]},\"data\":1}"),
                ErrorCode.INVALID_REQUEST);

        assertThat(message).contains("to.topics[0] is not a valid topic name").doesNotContain("bad topic!");
    }

    @Test
    void invalid_request_for_an_invalid_user_id() {
        TestServer s = dev();

        assertThat(message(s.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"a\\u0001b\"]},\"data\":1}"),
                ErrorCode.INVALID_REQUEST)).contains("invalid user id");
        assertThat(message(s.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"" + "u".repeat(257) + "\"]},\"data\":1}"),
                ErrorCode.INVALID_REQUEST)).contains("invalid user id");
        assertThat(message(s.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"\"]},\"data\":1}"),
                ErrorCode.INVALID_REQUEST)).contains("invalid user id");
        assertError(s.http().get("/send?uid=a%01b&message=x"), ErrorCode.INVALID_REQUEST);
        assertError(s.http().get("/api/v1/users/" + "u".repeat(257)), ErrorCode.INVALID_REQUEST);
    }

    @Test
    void batch_too_large_when_a_batch_exceeds_api_max_batch_and_a_full_batch_is_fine() {
        TestServer s = dev(Map.of(Setting.API_MAX_BATCH, "2"));

        assertThat(message(s.http().postJson("/api/v1/messages/batch", "{\"messages\":[" + String.join(",", VALID_MESSAGE, VALID_MESSAGE, VALID_MESSAGE) + "]}"),
                ErrorCode.BATCH_TOO_LARGE)).contains("2");
        assertThat(s.http().postJson("/api/v1/messages/batch", "[" + VALID_MESSAGE + "," + VALID_MESSAGE + "]").status()).isEqualTo(200);
    }

    @Test
    void origin_not_allowed_refuses_a_foreign_origin_upgrade_in_auth_mode() {
        TestServer s = auth();

        assertError(withOrigin(s.http().anonymous(), "/ws?token=" + Tokens.hs256("1"), "https://evil.example"), ErrorCode.ORIGIN_NOT_ALLOWED);
        Throwable failure = WsClient.connectFailure(s.wsUri("token=" + Tokens.hs256("1")), Map.of("Origin", "https://evil.example"));
        assertThat(failure).isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) failure).getResponse().statusCode()).isEqualTo(403);
        assertThat(s.server().hub().sessions("1")).isEmpty();
    }

    @Test
    void same_host_origin_is_allowed_in_auth_mode() {
        TestServer s = auth();

        WsClient client = WsClient.connect(s.wsUri("token=" + Tokens.hs256("1")), Map.of("Origin", "http://127.0.0.1:" + s.port()));

        assertThat(client.awaitFrame(f -> f.contains("\"type\":\"welcome\""))).contains("\"user\":\"1\"");
    }

    @Test
    void origin_in_ws_allowed_origins_is_allowed_and_others_are_not() {
        TestServer s = auth(Map.of(Setting.WS_ALLOWED_ORIGINS, "https://app.example, https://admin.example"));

        WsClient client = WsClient.connect(s.wsUri("token=" + Tokens.hs256("1")), Map.of("Origin", "https://App.Example"));
        assertThat(client.awaitFrame(f -> f.contains("\"type\":\"welcome\""))).contains("\"user\":\"1\"");
        assertError(withOrigin(s.http().anonymous(), "/ws", "https://evil.example"), ErrorCode.ORIGIN_NOT_ALLOWED);
        // the server's own origin needs no listing: past the origin check, this plain GET is refused for lacking the upgrade
        assertError(withOrigin(s.http().anonymous(), "/ws", "http://127.0.0.1:" + s.port()), ErrorCode.UPGRADE_REQUIRED);
    }

    @Test
    void any_origin_may_connect_in_dev_mode() {
        TestServer s = dev();

        WsClient client = WsClient.connect(s.wsUri("uid=1"), Map.of("Origin", "https://evil.example"));

        assertThat(client.awaitFrame(f -> f.contains("\"type\":\"welcome\""))).contains("\"user\":\"1\"");
    }

    @Test
    void user_offline_for_a_user_without_connection() {
        assertThat(message(dev().http().get("/send?uid=nobody&message=x&persist=false"), ErrorCode.USER_OFFLINE)).contains("no connection").doesNotContain("nobody");
    }

    @Test
    void not_found_for_unknown_paths_with_and_without_a_body() {
        TestServer s = dev();

        assertError(s.http().get("/nope"), ErrorCode.NOT_FOUND);
        assertError(s.http().postJson("/nope", "{}"), ErrorCode.NOT_FOUND);
        assertError(s.http().get("/api/v2/stats"), ErrorCode.NOT_FOUND);
        assertError(s.http().get("/api/v1/nope"), ErrorCode.NOT_FOUND);
    }

    @Test
    void not_found_also_behind_a_valid_api_key() {
        TestServer s = auth();

        assertError(s.http().get("/api/v1/nope"), ErrorCode.NOT_FOUND);
    }

    @Test
    void method_not_allowed_for_a_known_path_with_the_wrong_method() {
        TestServer s = dev();

        assertThat(message(put(s.http(), "/api/v1/stats"), ErrorCode.METHOD_NOT_ALLOWED)).contains("not allowed").doesNotContain("/api/v1/stats");
        assertError(s.http().delete("/send"), ErrorCode.METHOD_NOT_ALLOWED);
        assertError(s.http().get("/api/v1/messages"), ErrorCode.METHOD_NOT_ALLOWED);
        assertError(s.http().postJson("/health", "{}"), ErrorCode.METHOD_NOT_ALLOWED);
    }

    @Test
    void method_not_allowed_also_behind_a_valid_api_key() {
        TestServer s = auth();

        assertError(put(s.http(), "/api/v1/stats"), ErrorCode.METHOD_NOT_ALLOWED);
        assertError(s.http().delete("/send"), ErrorCode.METHOD_NOT_ALLOWED);
    }

    @Test
    void payload_too_large_when_the_body_exceeds_http_max_body_size() {
        TestServer s = dev(Map.of(Setting.HTTP_MAX_BODY_SIZE, "1KiB"));
        s.connectSeed("1");
        String big = "x".repeat(2048);

        assertError(s.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"1\"]},\"data\":\"" + big + "\"}"), ErrorCode.PAYLOAD_TOO_LARGE);
        assertError(s.http().postJson("/api/v1/messages/batch", "[{\"to\":{\"users\":[\"1\"]},\"data\":\"" + big + "\"}]"), ErrorCode.PAYLOAD_TOO_LARGE);
        assertError(s.http().postForm("/send", "uid=1&message=" + big), ErrorCode.PAYLOAD_TOO_LARGE);
        assertThat(s.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"1\"]},\"data\":\"" + "x".repeat(900) + "\"}").status())
                .isEqualTo(200);
    }

    @Test
    void unsupported_media_type_for_a_non_json_body() {
        TestServer s = dev();

        assertThat(message(post(s.http(), "/api/v1/messages", "text/plain", VALID_MESSAGE), ErrorCode.UNSUPPORTED_MEDIA_TYPE)).contains("application/json").doesNotContain("text/plain");
        assertError(post(s.http(), "/api/v1/messages", null, VALID_MESSAGE), ErrorCode.UNSUPPORTED_MEDIA_TYPE);
        assertError(post(s.http(), "/api/v1/messages/batch", "application/x-www-form-urlencoded", "[" + VALID_MESSAGE + "]"), ErrorCode.UNSUPPORTED_MEDIA_TYPE);
        assertThat(post(s.http(), "/api/v1/messages", "application/json; charset=utf-8", VALID_MESSAGE).status()).isEqualTo(202);
    }

    @Test
    void upgrade_required_for_a_plain_get_on_ws() {
        assertError(dev().http().get("/ws"), ErrorCode.UPGRADE_REQUIRED);
        assertError(auth().http().anonymous().get("/ws"), ErrorCode.UPGRADE_REQUIRED);
    }

    @Test
    void shutting_down_once_draining_has_begun_while_health_reports_draining() {
        TestServer s = dev();
        WsClient connected = s.connectSeed("1");
        assertThat(s.http().get("/health").status()).isEqualTo(200);

        s.server().beginDraining();

        assertError(s.http().get("/send?uid=1&message=x"), ErrorCode.SHUTTING_DOWN);
        assertError(s.http().postJson("/api/v1/messages", VALID_MESSAGE), ErrorCode.SHUTTING_DOWN);
        assertError(s.http().get("/api/v1/stats"), ErrorCode.SHUTTING_DOWN);
        assertError(s.http().get("/ws"), ErrorCode.SHUTTING_DOWN);
        Throwable failure = WsClient.connectFailure(s.wsUri("uid=2"), Map.of());
        assertThat(failure).isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) failure).getResponse().statusCode()).isEqualTo(503);
        Http.Response health = s.http().get("/health");
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.body()).contains("DRAINING");
        assertThat(s.http().get("/health/ready").status()).isEqualTo(503);
        assertThat(s.http().get("/health/live").status()).isEqualTo(200);
        assertThat(connected.isClosed()).isFalse();
    }

    @Test
    void metrics_keep_answering_while_draining_so_operators_can_watch_the_drain() {
        TestServer s = auth();
        s.server().beginDraining();

        Http.Response metrics = s.http().get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("herald_");
        assertError(s.http().anonymous().get("/metrics"), ErrorCode.UNAUTHORIZED);
        assertThat(s.http().get("/health").status()).isEqualTo(503);
    }

    @Test
    void shutting_down_comes_before_the_api_key_check() {
        TestServer s = auth();
        s.server().beginDraining();

        assertError(s.http().anonymous().get("/api/v1/stats"), ErrorCode.SHUTTING_DOWN);
    }
}
