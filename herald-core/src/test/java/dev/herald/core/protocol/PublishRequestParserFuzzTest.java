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

    private static void assertNoEcho(HeraldException e) {
        if (e.code() == ErrorCode.INVALID_JSON) {
            assertThat(e.getMessage()).matches(SyntaxErrors.SHAPE);
        }
    }

    private static void check(PublishRequest r, String body) {
        assertThat(body).contains(r.dataJson());
        assertThat(r.rawBody()).isNotNull();
        assertThat(r.all() || !r.users().isEmpty() || !r.topics().isEmpty() || !r.delivery().targets().isEmpty()).isTrue();
    }
}
