package dev.herald.client;

import dev.herald.server.HeraldServer;
import dev.herald.server.config.ConfigSources;
import dev.herald.server.config.Setting;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SDK against a real Herald server with auth configured. */
class HeraldClientTest {
    private static final String API_KEY = "client-test-api-key-0123";
    private final HeraldServer server = start();
    private final URI base = URI.create("http://127.0.0.1:" + server.port());
    private final HeraldClient herald = HeraldClient.builder(base).apiKey(API_KEY).build();

    private static HeraldServer start() {
        try {
            return new HeraldServer(new ConfigSources().flags(Map.of(
                    Setting.PORT, "0",
                    Setting.DATA_DIR, Files.createTempDirectory("herald-client").toString(),
                    Setting.AUTH_JWT_SECRET, "client-test-secret-at-least-32-bytes!!",
                    Setting.AUTH_API_KEYS, API_KEY)).build()).start();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void stop() {
        server.shutdown(Duration.ofSeconds(5));
    }

    @Test
    void publish_reaches_a_connected_user_with_the_json_data() throws Exception {
        List<String> frames = connect("alice");

        Published published = herald.publish(Publish.toUsers("alice").json("{\"progress\":50}"));

        assertThat(published.delivered()).isEqualTo(1);
        assertThat(published.id()).hasSize(26);
        Awaitility.await().until(() -> frames.stream().anyMatch(f -> f.contains("\"data\":{\"progress\":50}")));
    }

    @Test
    void send_and_text_publish_carry_plain_text() throws Exception {
        List<String> frames = connect("bob");

        herald.send("bob", "Hello World");
        herald.publishAsync(Publish.toUsers("bob").text("line \"two\"")).get();

        Awaitility.await().until(() -> frames.stream().anyMatch(f -> f.contains("\"data\":\"Hello World\""))
                && frames.stream().anyMatch(f -> f.contains("\"data\":\"line \\\"two\\\"\"")));
    }

    @Test
    void errors_carry_herald_error_codes() {
        assertThatThrownBy(() -> herald.receipt("01KAYZ5J4V0000000000000000"))
                .isInstanceOfSatisfying(HeraldApiException.class, e -> {
                    assertThat(e.code()).isEqualTo("message_not_found");
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.retryable()).isFalse();
                });
        HeraldClient wrongKey = HeraldClient.builder(base).apiKey("not-the-key-0000000").build();
        assertThatThrownBy(() -> wrongKey.publish(Publish.toEveryone().text("x")))
                .isInstanceOfSatisfying(HeraldApiException.class, e -> assertThat(e.code()).isEqualTo("unauthorized"));
        assertThatThrownBy(() -> herald.publish(Publish.toUsers("a").json("{broken")))
                .isInstanceOfSatisfying(HeraldApiException.class, e -> assertThat(e.code()).isEqualTo("invalid_json"));
    }

    @Test
    void a_message_for_an_offline_user_is_queued_and_its_receipt_follows_delivery() throws Exception {
        Published queued = herald.publish(Publish.toUsers("carol").text("while you were away").idempotencyKey("carol-1"));
        assertThat(queued.queued()).isTrue();
        assertThat(herald.receipt(queued.id()).recipient("carol").status()).isEqualTo("accepted");

        Published again = herald.publish(Publish.toUsers("carol").text("while you were away").idempotencyKey("carol-1"));
        assertThat(again.duplicate()).isTrue();
        assertThat(again.id()).isEqualTo(queued.id());

        List<String> frames = connect("carol");
        Awaitility.await().until(() -> frames.stream().anyMatch(f -> f.contains(queued.id())));
        Awaitility.await().until(() -> herald.receipt(queued.id()).recipient("carol").status().equals("delivered"));
        assertThat(frames.stream().filter(f -> f.contains(queued.id()))).hasSize(1);
        assertThat(herald.publish(Publish.toUsers("nobody").text("typing…").notPersisted()).delivered()).isZero();
    }

    @Test
    void batch_returns_one_result_per_message_in_order() {
        List<Object> results = herald.publishBatch(List.of(
                Publish.toUsers("a").text("one"),
                Publish.toTopics("bad topic!").text("two"),
                Publish.toEveryone().json("3")));

        assertThat(results).hasSize(3);
        assertThat(results.get(0)).isInstanceOf(Published.class);
        assertThat(results.get(1)).isInstanceOfSatisfying(HeraldApiException.class, e -> assertThat(e.code()).isEqualTo("invalid_request"));
        assertThat(results.get(2)).isInstanceOf(Published.class);
    }

    @Test
    void an_unreachable_server_is_a_retryable_error() {
        server.shutdown(Duration.ofSeconds(5));
        HeraldClient client = HeraldClient.builder(base).timeout(Duration.ofSeconds(2)).build();

        assertThatThrownBy(() -> client.publish(Publish.toUsers("a").text("x")))
                .isInstanceOfSatisfying(HeraldApiException.class, e -> {
                    assertThat(e.code()).isEqualTo("unreachable");
                    assertThat(e.retryable()).isTrue();
                });
    }

    /** Connects a user with a token minted by the CLI's token command logic (HS256). */
    private List<String> connect(String user) throws InterruptedException, ExecutionException {
        String token = mint(user);
        List<String> frames = new CopyOnWriteArrayList<>();
        HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws?token=" + token), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        frames.add(data.toString());
                        ws.request(1);
                        return null;
                    }
                }).get();
        Awaitility.await().until(() -> frames.stream().anyMatch(f -> f.contains("\"welcome\"")));
        return frames;
    }

    private static String mint(String user) {
        try {
            var jwt = new com.nimbusds.jwt.SignedJWT(new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
                    new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(user)
                            .expirationTime(new java.util.Date(System.currentTimeMillis() + 60_000)).build());
            jwt.sign(new com.nimbusds.jose.crypto.MACSigner("client-test-secret-at-least-32-bytes!!".getBytes()));
            return jwt.serialize();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
