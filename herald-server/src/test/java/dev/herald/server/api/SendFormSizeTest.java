package dev.herald.server.api;

import dev.herald.core.error.ErrorCode;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /send} with a form body is limited by {@code http.max-body-size} only (1 MiB by default), not by
 * Vert.x's own 8 KiB limit on one form attribute.
 */
class SendFormSizeTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.devMode();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest(name = "{0} characters")
    @ValueSource(ints = {8_200, 60_000, 1_000_000})
    void a_form_message_up_to_the_body_limit_is_published(int length) {
        Http.Response r = server.http().postForm("/send", "uid=form-" + length + "&message=" + "x".repeat(length));

        assertThat(r.status()).as(r.body()).isEqualTo(202); // stored for the offline user
        assertThat(r.body()).contains("\"queued\":true");
    }

    @Test
    void a_60000_character_form_message_arrives_whole() {
        WsClient seed = server.connectSeed("form-reader");
        String message = "y".repeat(60_000);

        assertThat(server.http().postForm("/send", "uid=form-reader&message=" + message).status()).isEqualTo(200);

        seed.awaitFrame(message::equals);
    }

    @Test
    void a_form_body_over_the_body_limit_is_413_in_the_envelope() {
        Http.Response r = server.http().postForm("/send", "uid=u1&message=" + "x".repeat(1_100_000)); // over 1 MiB

        HttpErrorsTest.assertError(r, ErrorCode.PAYLOAD_TOO_LARGE);
    }
}
