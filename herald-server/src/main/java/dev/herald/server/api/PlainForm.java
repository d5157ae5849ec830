package dev.herald.server.api;

import io.netty.handler.codec.DecoderException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * A form body read without vertx-web's {@code BodyHandler}, for the seed's {@code POST /send}: only the requests
 * whose every outcome is known before the body arrives take this way, and for them the answer is the one the
 * router gives ({@code SendFormShortcutTest}). Every other request ({@code Transfer-Encoding}, {@code Expect}, no or
 * an unreadable Content-Length, one over the body limit, another content type) goes to the router, which answers
 * them as it always did (413, 417, 415...).
 *
 * <p>Vert.x's own form decoder still reads the body (with the server's form limits), so names, values, escapes and
 * odd bodies decode as before; what is skipped is the routing context and the body buffer that {@code BodyHandler}
 * filled beside the decoder, which the form never used.
 */
final class PlainForm {
    private static final String FORM = "application/x-www-form-urlencoded";

    private PlainForm() { }

    /**
     * Whether {@code request} is a form that {@code BodyHandler} would hand to Vert.x's decoder and let through whole:
     * HTTP/1.x, a Content-Length from 0 to {@code maxBodySize} (so the body cannot pass the limit), no
     * Transfer-Encoding, no Expect, and a Content-Type that starts with {@code application/x-www-form-urlencoded}
     * (ignoring case: both {@code BodyHandler}'s test and the one Vert.x's decoder makes).
     */
    static boolean accepts(HttpServerRequest request, long maxBodySize) {
        if (request.version() != HttpVersion.HTTP_1_1 && request.version() != HttpVersion.HTTP_1_0) {
            return false;
        }
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.regionMatches(true, 0, FORM, 0, FORM.length())) {
            return false;
        }
        if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || request.headers().contains(HttpHeaders.EXPECT)) {
            return false;
        }
        long length = contentLength(request.getHeader(HttpHeaders.CONTENT_LENGTH));
        return length >= 0 && length <= maxBodySize;
    }

    /** The Content-Length as {@code BodyHandler} reads it, or -1 (none, not a number, negative). */
    private static long contentLength(String header) {
        if (header == null || header.isEmpty()) {
            return -1;
        }
        try {
            long length = Long.parseLong(header);
            return length < 0 ? -1 : length;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Reads the form of an {@link #accepts accepted} request, then runs {@code then} (its attributes are in
     * {@code request.formAttributes()}). A body the decoder refuses (a bad escape, too many fields) is
     * {@code 400 invalid_request} as {@code BodyHandler} fails it; any other failure (the connection lost mid-body) is
     * rendered as the router renders a stray exception. {@code then} runs at most once, and not after a failure.
     */
    static void read(HttpServerRequest request, Runnable then) {
        request.setExpectMultipart(true);
        boolean[] failed = {false};
        request.exceptionHandler(t -> {
            failed[0] = true;
            if (t instanceof DecoderException) {
                ErrorRenderer.render(request, ErrorRenderer.unreadable());
            } else {
                ErrorRenderer.renderUnexpected(request, request.path(), t);
            }
        });
        request.endHandler(v -> {
            if (failed[0]) {
                return;
            }
            try {
                then.run();
            } catch (RuntimeException e) { // what the router's failure handler does with a handler's stray exception
                ErrorRenderer.renderUnexpected(request, request.path(), e);
            }
        });
    }
}
