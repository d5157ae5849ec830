package dev.herald.core.protocol;

import dev.herald.core.JsonText;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Every parser of client JSON refuses repeated keys, and its errors say where and what was expected, never the
 * rejected input (an unquoted secret must not come back in the error).
 */
class UntrustedJsonTest {
    private static final String SECRET = "hunter2-very-secret-api-key";
    private final PublishRequestParser publish = new PublishRequestParser();
    private final ContactsParser contacts = new ContactsParser();
    private final ClientFrameParser frames = new ClientFrameParser();

    @Test
    void an_unquoted_secret_is_not_echoed_by_any_parser() {
        String body = "{\"to\":{\"users\":[\"u\"]},\"data\":" + SECRET + "}";

        HeraldException one = catchThrowableOfType(HeraldException.class, () -> publish.parseOne(body));
        HeraldException batch = catchThrowableOfType(HeraldException.class, () -> publish.parseBatch("[" + body + "]", 10));
        HeraldException contact = catchThrowableOfType(HeraldException.class,
                () -> contacts.parse("{\"webhook\":{\"url\":\"https://x.example\",\"secret\":" + SECRET + "}}"));
        ProtocolError.Failure frame = catchThrowableOfType(ProtocolError.Failure.class,
                () -> frames.parse("{\"type\":\"auth\",\"token\":" + SECRET + "}"));

        for (Exception e : List.of(one, batch, contact, frame)) {
            assertThat(e.getMessage()).contains("line 1, column").doesNotContain("hunter2").doesNotContain(SECRET);
        }
        assertThat(one.code()).isEqualTo(ErrorCode.INVALID_JSON);
        assertThat(frame.error()).isEqualTo(ProtocolError.INVALID_JSON);
    }

    @Test
    void other_syntax_errors_do_not_echo_the_input_either() {
        for (String body : List.of("{\"to\":{\"users\":[\"u\"]},\"data\":\"" + SECRET + "\n\"}",
                "{\"to\":{\"users\":[\"u\"]},\"data\":\"\\q" + SECRET + "\"}",
                "{\"to\":{\"users\":[\"u\"]},\"data\":1" + SECRET + "}",
                "{\"to\":{\"users\":[\"u\"]},\"data\":-" + SECRET + "}",
                "{\"to\":{\"users\":[\"u\"]},\"ttl\":99999999999999999999999999" + "9".repeat(10) + ",\"data\":1}",
                "{" + SECRET + ":1}",
                "{\"to\":{\"users\":[\"u\"]},\"data\":1}" + SECRET)) {
            HeraldException e = catchThrowableOfType(HeraldException.class, () -> publish.parseOne(body));
            assertThat(e).as(body).isNotNull();
            assertThat(e.getMessage()).as(body).doesNotContain("hunter2").doesNotContain("9999");
        }
    }

    @Test
    void a_repeated_to_is_refused_instead_of_the_last_one_winning() {
        String body = "{\"to\":{\"users\":[\"alice\"]},\"data\":1,\"to\":{\"users\":[\"mallory\"]}}";

        assertThatThrownBy(() -> publish.parseOne(body)).isInstanceOf(HeraldException.class)
                .satisfies(e -> assertThat(((HeraldException) e).code()).isEqualTo(ErrorCode.INVALID_JSON))
                .hasMessageContaining("repeated").hasMessageNotContaining("mallory");
        assertThatThrownBy(() -> publish.parseBatch("[" + body + "]", 10)).isInstanceOf(HeraldException.class)
                .satisfies(e -> assertThat(((HeraldException) e).code()).isEqualTo(ErrorCode.INVALID_JSON));
        assertThatThrownBy(() -> publish.parseBatch("{\"messages\":[],\"messages\":[" + body + "]}", 10))
                .isInstanceOf(HeraldException.class);
    }

    @Test
    void repeated_keys_are_refused_at_any_depth_and_in_every_parser() {
        assertThatThrownBy(() -> publish.parseOne("{\"to\":{\"users\":[\"a\"],\"users\":[\"b\"]},\"data\":1}"))
                .isInstanceOf(HeraldException.class).hasMessageContaining("repeated");
        assertThatThrownBy(() -> contacts.parse("{\"email\":\"a@example.com\",\"email\":\"b@example.com\"}"))
                .isInstanceOf(HeraldException.class)
                .satisfies(e -> assertThat(((HeraldException) e).code()).isEqualTo(ErrorCode.INVALID_JSON));
        assertThatThrownBy(() -> contacts.parse("{\"webhook\":{\"url\":\"https://a.example\",\"url\":\"https://b.example\"}}"))
                .isInstanceOf(HeraldException.class);
        assertThatThrownBy(() -> frames.parse("{\"type\":\"auth\",\"token\":\"a\",\"token\":\"b\"}"))
                .isInstanceOf(ProtocolError.Failure.class)
                .satisfies(e -> assertThat(((ProtocolError.Failure) e).error()).isEqualTo(ProtocolError.INVALID_JSON));
    }

    @Test
    void bodies_that_are_not_utf8_are_refused_not_replaced() {
        byte[] latin1 = "{\"to\":{\"users\":[\"u\"]},\"data\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);

        assertThatThrownBy(() -> JsonText.strictUtf8(ByteBuffer.wrap(latin1))).isInstanceOf(HeraldException.class)
                .satisfies(e -> assertThat(((HeraldException) e).code()).isEqualTo(ErrorCode.INVALID_JSON))
                .hasMessageContaining("not valid UTF-8 (at byte 33)");
        // a truncated sequence at the end, an overlong form, an encoded surrogate
        for (byte[] bad : List.of(new byte[] {'"', (byte) 0xE2, (byte) 0x82}, new byte[] {(byte) 0xC0, (byte) 0xAF},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})) {
            assertThatThrownBy(() -> JsonText.strictUtf8(ByteBuffer.wrap(bad))).isInstanceOf(HeraldException.class);
        }
        String valid = "{\"data\":\"caf\u00e9 你好 \uD83D\uDE00\"}";
        assertThat(JsonText.strictUtf8(ByteBuffer.wrap(valid.getBytes(StandardCharsets.UTF_8)))).isEqualTo(valid);
    }
}
