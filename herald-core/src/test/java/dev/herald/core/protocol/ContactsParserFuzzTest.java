package dev.herald.core.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.notify.Destination;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any body of {@code PUT /api/v1/users/{uid}/contacts}: the parser answers contacts keyed by valid channel names, or
 * a {@link HeraldException} with {@code invalid_json} or {@code invalid_request}, never another exception.
 * Corpus: {@code ContactsParserFuzzTestInputs/}.
 */
class ContactsParserFuzzTest {
    private final ContactsParser parser = new ContactsParser();

    @FuzzTest(maxDuration = "50s")
    void parse(byte[] input) {
        Map<String, Destination> contacts;
        try {
            contacts = parser.parse(new String(input, StandardCharsets.UTF_8));
        } catch (HeraldException e) {
            assertThat(e.code()).isIn(ErrorCode.INVALID_JSON, ErrorCode.INVALID_REQUEST);
            if (e.code() == ErrorCode.INVALID_JSON) {
                assertThat(e.getMessage()).matches(SyntaxErrors.SHAPE);
            }
            return;
        }
        contacts.forEach((channel, destination) -> {
            assertThat(PublishRequestParser.isChannelName(channel)).isTrue();
            assertThat(destination.address()).isNotNull();
            assertThat(destination.address().length()).isLessThanOrEqualTo(PublishRequestParser.MAX_ADDRESS_LENGTH);
        });
    }
}
