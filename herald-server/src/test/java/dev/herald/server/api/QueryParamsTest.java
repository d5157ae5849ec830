package dev.herald.server.api;

import io.vertx.core.MultiMap;
import io.vertx.core.http.impl.HttpUtils;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link QueryParams} reads {@code uid}, {@code message} and {@code persist} exactly as Vert.x's
 * {@code request.getParam} does (its {@code params()}: {@code HttpUtils.params(uri, UTF-8, false)}), checked
 * against Vert.x itself on hand-picked and random URIs, including what fails.
 */
class QueryParamsTest {
    private static final String[] NAMES = {"uid", "message", "persist"};

    @Test
    void reads_the_seed_parameters() {
        assertThat(QueryParams.first("/send?uid=u1&message=hello&persist=false", NAMES))
                .containsExactly("u1", "hello", "false");
        assertThat(QueryParams.first("/send?message=a+b%20c%C3%BC", NAMES)).containsExactly(null, "a b cü", null);
        assertThat(QueryParams.first("/send", NAMES)).containsExactly(null, null, null);
    }

    @Test
    void hand_picked_uris_read_as_vertx_reads_them() {
        for (String uri : List.of("/send", "/send?", "/send?uid", "/send?uid=", "/send?=uid=1", "/send?uid==1",
                "/send?UID=a&uid=b", "/send?uid=b&UID=a", "/send?Uid=%41&message=%e2%82%ac", "/send?u%69d=x",
                "/send?uid=1;message=2", "/send?uid=1#message=2", "/send#?uid=1", "/send?uid=1&&&message=&persist",
                "/send?uid=a+b&message=%2B", "/send?%75id=q", "/send?uid=1&message=x%", "/send?x=%ZZ&uid=1",
                "/send?uid=1&x=%E2%82", "/send?ſ=1&uſd=2&uid=3", "/send?uıd=1&uid=2", "/send??uid=1", "/send?uid=1=2",
                "/send?&=&uid=ok", "/send?message=%00%0A%22%5C")) {
            assertSame(uri);
        }
    }

    @Test
    void only_the_first_1024_parameters_are_read_as_in_vertx() {
        StringBuilder uri = new StringBuilder("/send?");
        for (int i = 0; i < QueryParams.MAX_PARAMS; i++) {
            uri.append("p").append(i).append("=1&");
        }
        assertSame(uri + "uid=late");
        assertSame(uri + "uid=%ZZ");
        assertThat(QueryParams.first(uri + "uid=late", NAMES)[0]).isNull();
    }

    @Test
    void random_uris_read_as_vertx_reads_them() {
        String[] pieces = {"u", "i", "d", "U", "I", "D", "uid", "UID", "message", "MESSAGE", "persist", "=", "=", "&", "&",
                ";", "#", "?", "%", "%2", "%41", "%C3%BC", "%E2%82%AC", "%ZZ", "%e2", "+", "x", "1", "false", "ſ", "é", " "};
        Random random = new Random(42);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder uri = new StringBuilder("/send?");
            int parts = random.nextInt(14);
            for (int p = 0; p < parts; p++) {
                uri.append(pieces[random.nextInt(pieces.length)]);
            }
            assertSame(uri.toString());
        }
    }

    private static void assertSame(String uri) {
        List<String> expected = new ArrayList<>();
        RuntimeException expectedFailure = null;
        try {
            MultiMap vertx = HttpUtils.params(uri, StandardCharsets.UTF_8, false);
            for (String name : NAMES) {
                expected.add(vertx.get(name));
            }
        } catch (RuntimeException e) {
            expectedFailure = e;
        }
        if (expectedFailure != null) {
            // where Vert.x throws IllegalArgumentException (a 500 through the router), QueryParams answers 400
            assertThat(expectedFailure).as(uri).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> QueryParams.first(uri, NAMES)).as(uri).isInstanceOfSatisfying(HeraldException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
            assertThatThrownBy(() -> QueryParams.requireWellFormed(uri)).as(uri).isInstanceOf(HeraldException.class);
            return;
        }
        assertThat(QueryParams.first(uri, NAMES)).as(uri).containsExactlyElementsOf(expected);
        if (uri.chars().filter(c -> c == '&' || c == ';').count() < QueryParams.MAX_PARAMS) {
            QueryParams.requireWellFormed(uri); // accepts what Vert.x reads (it reads no escape past the 1,024th parameter)
        }
    }
}
