package dev.herald.core.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientFrameParserTest {
    private final ClientFrameParser parser = new ClientFrameParser();

    @Test
    void seed_login_is_an_object_with_uid_and_no_type() throws Exception {
        assertThat(parser.parse("{\"uid\": \"123\"}").isSeedLogin()).isTrue();
        assertThat(parser.parse("{\"uid\": 123}").uid()).isEqualTo("123");
        assertThat(parser.parse("{\"type\":\"auth\",\"uid\":\"1\"}").isSeedLogin()).isFalse();
    }

    @Test
    void herald_frames_are_read_and_unknown_fields_ignored() throws Exception {
        ClientFrame auth = parser.parse("{\"type\":\"auth\",\"token\":\"t\",\"since\":\"01X\",\"extra\":{\"a\":[1]}}");
        ClientFrame sub = parser.parse("{\"type\":\"subscribe\",\"topics\":[\"a\",\"b\"],\"ref\":7}");
        ClientFrame single = parser.parse("{\"type\":\"subscribe\",\"topic\":\"a\"}");

        assertThat(auth.token()).isEqualTo("t");
        assertThat(auth.since()).isEqualTo("01X");
        assertThat(sub.topics()).containsExactly("a", "b");
        assertThat(sub.ref()).isEqualTo("7");
        assertThat(single.topics()).containsExactly("a");
    }

    @Test
    void malformed_or_mistyped_frames_fail_with_a_code() {
        assertFails("not json", ProtocolError.INVALID_JSON);
        assertFails("[1,2]", ProtocolError.INVALID_JSON);
        assertFails("{\"type\":\"ping\"} {}", ProtocolError.INVALID_JSON);
        assertFails("{\"type\":1}", ProtocolError.INVALID_FRAME);
        assertFails("{\"type\":\"subscribe\",\"topics\":\"a\"}", ProtocolError.INVALID_FRAME);
        assertFails("{\"type\":\"auth\",\"token\":\"" + "x".repeat(ClientFrameParser.MAX_FIELD_LENGTH + 1) + "\"}", ProtocolError.INVALID_FRAME);
    }

    private void assertFails(String text, ProtocolError error) {
        assertThatThrownBy(() -> parser.parse(text)).isInstanceOf(ProtocolError.Failure.class)
                .satisfies(e -> assertThat(((ProtocolError.Failure) e).error()).isEqualTo(error));
    }
}
