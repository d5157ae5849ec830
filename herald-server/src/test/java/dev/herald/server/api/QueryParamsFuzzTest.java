package dev.herald.server.api;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any request target ({@code /send?uid=…&message=…}, {@code /ws?token=…}): {@link QueryParams#first} answers the
 * values or throws Herald's {@code invalid_request} for a malformed escape, never another exception. Corpus: {@code QueryParamsFuzzTestInputs/}.
 */
class QueryParamsFuzzTest {
    @FuzzTest(maxDuration = "50s")
    void first(byte[] input) {
        String uri = new String(input, StandardCharsets.UTF_8);
        String[] values;
        try {
            values = QueryParams.first(uri, "uid", "message", "token", "since");
        } catch (HeraldException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            return;
        }
        assertThat(values).hasSize(4);
        for (String v : values) {
            assertThat(v == null || v.length() <= uri.length()).isTrue();
        }
    }
}
