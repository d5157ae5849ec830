package dev.herald.core.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any text frame a client sends: the parser answers a frame or a {@link ProtocolError.Failure} with a code, never
 * another exception, and what it returns stays within its limits. Corpus: {@code ClientFrameParserFuzzTestInputs/}.
 * See docs/fuzzing.md.
 */
class ClientFrameParserFuzzTest {
    private static final java.util.regex.Pattern FRAME_SYNTAX_ERROR = java.util.regex.Pattern.compile(
            "a frame must be a JSON object|" + SyntaxErrors.SHAPE.pattern());
    private final ClientFrameParser parser = new ClientFrameParser();

    @FuzzTest(maxDuration = "50s")
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        ClientFrame frame;
        try {
            frame = parser.parse(text);
        } catch (ProtocolError.Failure e) {
            assertThat(e.error()).isIn(ProtocolError.INVALID_JSON, ProtocolError.INVALID_FRAME);
            if (e.error() == ProtocolError.INVALID_JSON) {
                assertThat(e.getMessage()).matches(FRAME_SYNTAX_ERROR);
            }
            return;
        }
        for (String s : new String[] {frame.type(), frame.token(), frame.uid(), frame.since(), frame.id(), frame.ref()}) {
            assertThat(s == null || s.length() <= ClientFrameParser.MAX_FIELD_LENGTH).isTrue();
        }
        assertThat(frame.topics().size()).isLessThanOrEqualTo(ClientFrameParser.MAX_LIST_LENGTH);
        assertThat(frame.messageIds().size()).isLessThanOrEqualTo(ClientFrameParser.MAX_LIST_LENGTH + 1);
    }
}
