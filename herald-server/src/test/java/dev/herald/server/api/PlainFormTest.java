package dev.herald.server.api;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which {@code POST /send} requests skip the router: only forms whose body is bounded by a Content-Length within
 * the limit; everything {@code BodyHandler} answers on its own (chunked, Expect, 413) stays with the router.
 */
class PlainFormTest {
    private static final long LIMIT = 1_000;

    /** A request with these headers (name, value pairs) and version; only what {@link PlainForm#accepts} reads. */
    private static HttpServerRequest request(HttpVersion version, String... headers) {
        MultiMap map = HttpHeaders.headers();
        for (int i = 0; i < headers.length; i += 2) {
            map.add(headers[i], headers[i + 1]);
        }
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            return switch (method.getName()) {
                case "version" -> version;
                case "headers" -> map;
                case "getHeader" -> map.get(args[0].toString());
                default -> throw new UnsupportedOperationException(method.getName());
            };
        };
        return (HttpServerRequest) Proxy.newProxyInstance(PlainFormTest.class.getClassLoader(),
                new Class<?>[] {HttpServerRequest.class}, handler);
    }

    private static boolean accepts(String... headers) {
        return PlainForm.accepts(request(HttpVersion.HTTP_1_1, headers), LIMIT);
    }

    private static final String TYPE = "Content-Type";
    private static final String FORM = "application/x-www-form-urlencoded";

    @Test
    void a_form_with_a_content_length_within_the_limit_is_read_without_the_router() {
        assertThat(accepts(TYPE, FORM, "Content-Length", "42")).isTrue();
        assertThat(accepts(TYPE, FORM, "Content-Length", "0")).isTrue();
        assertThat(accepts(TYPE, FORM, "Content-Length", "1000")).isTrue();
        assertThat(accepts(TYPE, "Application/X-WWW-Form-Urlencoded; charset=UTF-8", "Content-Length", "42")).isTrue();
        assertThat(PlainForm.accepts(request(HttpVersion.HTTP_1_0, TYPE, FORM, "Content-Length", "42"), LIMIT)).isTrue();
    }

    @Test
    void what_body_handler_answers_itself_goes_to_the_router() {
        assertThat(accepts(TYPE, FORM, "Content-Length", "1001")).as("over the limit: 413").isFalse();
        assertThat(accepts(TYPE, FORM)).as("no Content-Length").isFalse();
        assertThat(accepts(TYPE, FORM, "Content-Length", "")).isFalse();
        assertThat(accepts(TYPE, FORM, "Content-Length", "-1")).isFalse();
        assertThat(accepts(TYPE, FORM, "Content-Length", "4x")).isFalse();
        assertThat(accepts(TYPE, FORM, "Content-Length", "42", "Transfer-Encoding", "chunked")).isFalse();
        assertThat(accepts(TYPE, FORM, "Content-Length", "42", "Expect", "100-continue")).isFalse();
        assertThat(PlainForm.accepts(request(HttpVersion.HTTP_2, TYPE, FORM, "Content-Length", "42"), LIMIT)).isFalse();
    }

    @Test
    void other_content_types_go_to_the_router() {
        assertThat(accepts("Content-Length", "42")).as("no Content-Type").isFalse();
        assertThat(accepts(TYPE, "application/json", "Content-Length", "42")).isFalse();
        assertThat(accepts(TYPE, "multipart/form-data; boundary=x", "Content-Length", "42")).isFalse();
        assertThat(accepts(TYPE, "application/x-www-form", "Content-Length", "42")).isFalse();
        assertThat(accepts(TYPE, " " + FORM, "Content-Length", "42")).isFalse();
    }
}
