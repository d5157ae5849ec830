package dev.herald.core.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.message.PublishRequest;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any body of {@code POST /api/v1/messages} and {@code /batch}: the parser answers requests or a {@link HeraldException}
 * with {@code invalid_json}, {@code invalid_request} or {@code batch_too_large}, never another exception; an accepted
 * message's {@code data} is a slice of the body (kept byte for byte). Corpus: {@code PublishRequestParserFuzzTestInputs/}.
 */
class PublishRequestParserFuzzTest {
    private final PublishRequestParser parser = new PublishRequestParser();

    @FuzzTest(maxDuration = "50s")
    void parse(byte[] input) {
        String body = new String(input, StandardCharsets.UTF_8);
        try {
            check(parser.parseOne(body), body);
        } catch (HeraldException e) {
            assertThat(e.code()).isIn(ErrorCode.INVALID_JSON, ErrorCode.INVALID_REQUEST);
            assertNoEcho(e);
        }
        try {
            List<PublishRequestParser.Item> items = parser.parseBatch(body, 5);
            assertThat(items).isNotEmpty().hasSizeLessThanOrEqualTo(5);
            for (PublishRequestParser.Item item : items) {
                assertThat(item.request() == null).isNotEqualTo(item.error() == null);
                if (item.request() != null) {
                    check(item.request(), body);
                } else {
                    assertThat(item.error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                }
            }
        } catch (HeraldException e) {
            assertThat(e.code()).isIn(ErrorCode.INVALID_JSON, ErrorCode.INVALID_REQUEST, ErrorCode.BATCH_TOO_LARGE);
            assertNoEcho(e);
        }
    }

    /**
     * A syntax error says where and what was expected in Herald's (or Jackson's fixed) words, never the input: its
     * message is one of a few shapes whose free text is only Jackson's description of what it expected.
     */
    private static void assertNoEcho(HeraldException e) {
        if (e.code() == ErrorCode.INVALID_JSON) {
            assertThat(e.getMessage()).matches(SYNTAX_ERROR);
        }
    }

    private static final java.util.regex.Pattern SYNTAX_ERROR = java.util.regex.Pattern.compile(
            "invalid JSON|unexpected content after the JSON (object|value)"
            + "|invalid JSON at line \\d+, column \\d+: (the JSON is nested too deeply or holds a value that is too long"
            + "|a number is out of range|a field name is repeated in an object|the JSON ends too early"
            + "|expected a JSON value \\(strings need double quotes\\)|a control character in a string must be escaped"
            + "|a closing bracket does not match the opening one|invalid escape sequence in a string|invalid number"
            + "|malformed JSON|comments are not allowed in JSON|unexpected character(, (was expecting|expected) [A-Za-z ,'()\\-]+)?)");

    private static void check(PublishRequest r, String body) {
        assertThat(body).contains(r.dataJson());
        assertThat(r.rawBody()).isNotNull();
        assertThat(r.all() || !r.users().isEmpty() || !r.topics().isEmpty() || !r.delivery().targets().isEmpty()).isTrue();
    }
}
