package dev.herald.server.api;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any request target ({@code /send?uid=…&message=…}, {@code /ws?token=…}): {@link QueryParams#first} answers the
 * values or throws {@link IllegalArgumentException} for a malformed escape (as Vert.x's {@code getParam}), never
 * another exception. Corpus: {@code QueryParamsFuzzTestInputs/}.
 */
class QueryParamsFuzzTest {
    @FuzzTest(maxDuration = "50s")
    void first(byte[] input) {
        String uri = new String(input, StandardCharsets.UTF_8);
        String[] values;
        try {
            values = QueryParams.first(uri, "uid", "message", "token", "since");
        } catch (IllegalArgumentException e) {
            return;
        }
        assertThat(values).hasSize(4);
        for (String v : values) {
            assertThat(v == null || v.length() <= uri.length()).isTrue();
        }
    }
}
