package dev.herald.server.api;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

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

    private static final String[] NAMES = {"uid", "message", "persist"};

    /** What Netty's decoder (the router's reading) gives for {@code body}, or "refused". */
    private static String decoded(byte[] body) {
        try {
            return Arrays.toString(PlainForm.first(PlainForm.decode(FORM, body), NAMES));
        } catch (io.netty.handler.codec.DecoderException e) {
            return "refused";
        }
    }

    /** {@link PlainForm#plain} of {@code body}, which reads the same in place, amid bytes it must not read. */
    private static String plain(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String[] values = PlainForm.plain(bytes, NAMES);
        String read = values == null ? null : Arrays.toString(values);
        byte[] amid = new byte[bytes.length + 8];
        Arrays.fill(amid, (byte) '%'); // a malformed escape wherever it is read
        System.arraycopy(bytes, 0, amid, 4, bytes.length);
        String[] inPlace = PlainForm.plain(amid, 4, 4 + bytes.length, NAMES);
        assertThat(inPlace == null ? null : Arrays.toString(inPlace)).as("in place: " + body).isEqualTo(read);
        return read;
    }

    @Test
    void plain_bodies_read_as_the_decoder_reads_them() {
        for (String body : new String[] {"uid=u1&message=hello+there%21&persist=false", "", "&&", "uid=&message=",
                "UID=a&Message=b&PERSIST=c", "uid=1&uid=2&message=a=b", "message=%E4%BD%A0%E5%A5%BD", "message=%E4%BD",
                "message=\u00e9t\u00e9&uid=\u4f60", "other=%41&uid=x", "uid=1&message=x&"}) {
            assertThat(plain(body)).as(body).isNotNull().isEqualTo(decoded(body.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void other_bodies_are_left_to_the_decoder() {
        for (String body : new String[] {"uid", "uid=1&message", "=x&uid=1", "u%49d=1", "u+id=1", " uid=1", "uid =1",
                "u\u00efd=1", "uid=%ZZ", "uid=1&message=%4", "other=%G1&uid=1", "uid=1&message=x\r\nmore", "uid=1\nx=2",
                "a=1&".repeat(257)}) {
            assertThat(plain(body)).as(body).isNull();
        }
    }

    /** Random bodies over the characters that matter: wherever the plain reading answers, the decoder agrees. */
    @Test
    void random_bodies_read_as_the_decoder_reads_them_or_are_left_to_it() {
        String[] pieces = {"uid", "UID", "message", "persist", "x", "=", "=", "&", "&", "%", "%4", "%41", "%e4%bd%a0",
                "%ZZ", "+", " ", "\t", "\r", "\n", "\u00e9", "\u3000", ";", "#", "a"};
        Random random = new Random(14);
        int plainOnes = 0;
        for (int n = 0; n < 20_000; n++) {
            StringBuilder body = new StringBuilder();
            for (int k = random.nextInt(12); k > 0; k--) {
                body.append(pieces[random.nextInt(pieces.length)]);
            }
            String text = body.toString();
            String plain = plain(text);
            if (plain != null) {
                plainOnes++;
                assertThat(plain).as(text).isEqualTo(decoded(text.getBytes(StandardCharsets.UTF_8)));
            }
        }
        assertThat(plainOnes).as("bodies read without the decoder").isGreaterThan(2_000);
    }
}
