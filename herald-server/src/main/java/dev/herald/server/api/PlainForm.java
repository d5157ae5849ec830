package dev.herald.server.api;

import dev.herald.server.net.VertxInternals;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A form body read without vertx-web's {@code BodyHandler} nor Vert.x's form decoder, for the seed's
 * {@code POST /send}: only the requests whose every outcome is known before the body arrives take this way, and for
 * them the answer is the one the router gives ({@code SendFormShortcutTest}). Every other request
 * ({@code Transfer-Encoding}, {@code Expect}, no or an unreadable Content-Length, one over the body limit, another
 * content type) goes to the router, which answers them as it always did (413, 417, 415...).
 *
 * <p>The router reads a form with Netty's decoder (through Vert.x): per request a data factory with its maps, an
 * attribute object and buffer slices per field, a copy of the body, and an exception thrown to say the body ended.
 * A plain body ({@link #plain}: {@code name=value} fields joined by {@code &}, printable ASCII names without
 * escapes, values with well-formed ones, no line breaks) reads the same without any of it. Any other body is given to
 * that same Netty decoder, configured as Vert.x configures it for this server, so odd bodies and refusals read
 * exactly as before.
 */
final class PlainForm {
    private static final String FORM = "application/x-www-form-urlencoded";
    /**
     * Vert.x's limit on the fields of one form, which the router applies ({@code HttpLimits} leaves it at its
     * default); the form attribute and buffered-bytes limits are the body limit, which a Content-Length within it
     * already ensures.
     */
    private static final int MAX_FIELDS = HttpServerOptions.DEFAULT_MAX_FORM_FIELDS;

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
     * Reads the body of an {@link #accepts accepted} request, then gives {@code then} the first value of each of
     * {@code names} (lower-case ASCII, matched ignoring ASCII case, as the router's form map matches them; null where
     * absent). A body the decoder refuses (a bad escape, an empty name, too many fields) is {@code 400 invalid_request}
     * as {@code BodyHandler} fails it; any other failure (the connection lost mid-body) is rendered as the router
     * renders a stray exception. {@code then} runs at most once, and not after a failure.
     */
    static void read(HttpServerRequest request, String[] names, Fields then) {
        Body body = new Body();
        request.handler(body);
        request.exceptionHandler(t -> {
            body.failed = true;
            if (t instanceof DecoderException) {
                ErrorRenderer.render(request, ErrorRenderer.unreadable());
            } else {
                ErrorRenderer.renderUnexpected(request, request.path(), t);
            }
        });
        request.endHandler(v -> {
            if (body.failed) {
                return;
            }
            String[] values;
            try {
                values = body.plain(names);
                if (values == null) {
                    values = first(decode(request.getHeader(HttpHeaders.CONTENT_TYPE), body.bytes()), names);
                }
            } catch (DecoderException e) {
                ErrorRenderer.render(request, ErrorRenderer.unreadable());
                return;
            }
            try {
                then.read(values);
            } catch (RuntimeException e) { // what the router's failure handler does with a handler's stray exception
                ErrorRenderer.renderUnexpected(request, request.path(), e);
            }
        });
    }

    /** What {@link #read} hands the form's values to. */
    interface Fields {
        void read(String[] values);
    }

    /**
     * The body's chunks, and the request's body handler itself (no method reference per request); most forms
     * arrive in one, which is kept as it is (Vert.x hands over a copy of its own).
     */
    private static final class Body implements Handler<Buffer> {
        private Buffer first;
        private Buffer all;
        boolean failed;

        @Override
        public void handle(Buffer chunk) {
            if (first == null) {
                first = chunk;
            } else {
                if (all == null) {
                    all = Buffer.buffer(first.length() + chunk.length()).appendBuffer(first);
                }
                all.appendBuffer(chunk);
            }
        }

        byte[] bytes() {
            Buffer b = all != null ? all : first;
            return b == null ? new byte[0] : b.getBytes();
        }

        /** {@link PlainForm#plain} of the body, read in place when its buffer has an array (no copy of it). */
        String[] plain(String[] names) {
            Buffer b = all != null ? all : first;
            ByteBuf bytes = b == null ? null : VertxInternals.byteBuf(b);
            if (bytes == null || !bytes.hasArray()) {
                return PlainForm.plain(bytes(), names);
            }
            int from = bytes.arrayOffset() + bytes.readerIndex();
            return PlainForm.plain(bytes.array(), from, from + bytes.readableBytes(), names);
        }
    }

    /** The first value of each of {@code names} in {@code form} (the router's form map), null where absent. */
    static String[] first(MultiMap form, String[] names) {
        String[] values = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            values[i] = form.get(names[i]);
        }
        return values;
    }

    /**
     * The first value of each of {@code names} in a plain body, read as Netty's decoder reads it (a value's escapes
     * and {@code +} decoded to bytes, the bytes read as UTF-8; an empty field skipped), or null when the body is not
     * plain: a field without {@code =} or with an empty name, a name with anything but printable ASCII or with
     * {@code %} or {@code +}, a malformed escape, a CR or LF, more fields than the decoder takes. Those are the
     * decoder's to read or refuse.
     */
    static String[] plain(byte[] body, String[] names) {
        return plain(body, 0, body.length, names);
    }

    /** {@link #plain(byte[], String[])} of {@code body[from, to)}. */
    static String[] plain(byte[] body, int from, int to, String[] names) {
        String[] values = new String[names.length];
        int fields = 0;
        int start = from;
        while (start <= to) {
            int end = start;
            int equals = -1;
            boolean escaped = false;
            for (; end < to && body[end] != '&'; end++) {
                byte b = body[end];
                if (b == '\r' || b == '\n') {
                    return null;
                }
                if (equals < 0) {
                    if (b == '=') {
                        equals = end;
                    } else if (b == '%' || b == '+' || b <= ' ' || b == 0x7f) {
                        // an escaped name, or one with spaces, controls or non-ASCII: the decoder decodes names
                        // otherwise, trims (Unicode) white space off them, drops line feeds, refuses empty ones
                        return null;
                    }
                } else if (b == '%' || b == '+') {
                    escaped = true;
                }
            }
            if (end > start) {
                if (equals <= start || ++fields > MAX_FIELDS) {
                    return null;
                }
                int wanted = indexOf(names, body, start, equals);
                if (wanted >= 0 && values[wanted] == null) {
                    values[wanted] = escaped ? unescape(body, equals + 1, end) : utf8(body, equals + 1, end);
                    if (values[wanted] == null) {
                        return null;
                    }
                } else if (escaped && unescape(body, equals + 1, end) == null) {
                    return null; // the decoder refuses the whole body for any malformed value
                }
            }
            start = end + 1;
        }
        return values;
    }

    private static String utf8(byte[] body, int from, int to) {
        return new String(body, from, to - from, StandardCharsets.UTF_8);
    }

    /** {@code +} as a space and {@code %hh} as that byte, then UTF-8; null for a malformed escape. */
    private static String unescape(byte[] body, int from, int to) {
        byte[] out = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = body[i];
            if (b == '+') {
                out[n++] = ' ';
            } else if (b == '%') {
                int hi = i + 2 < to ? Character.digit(body[i + 1], 16) : -1;
                int lo = hi >= 0 ? Character.digit(body[i + 2], 16) : -1;
                if (lo < 0) {
                    return null;
                }
                out[n++] = (byte) ((hi << 4) + lo);
                i += 2;
            } else {
                out[n++] = b;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    /** Which of {@code names} (lower-case ASCII) {@code body[from, to)} is, ignoring ASCII case; -1 for none. */
    private static int indexOf(String[] names, byte[] body, int from, int to) {
        for (int n = 0; n < names.length; n++) {
            String name = names[n];
            if (name.length() != to - from) {
                continue;
            }
            int i = 0;
            for (; i < name.length(); i++) {
                int c = body[from + i];
                if (c >= 'A' && c <= 'Z') {
                    c += 'a' - 'A';
                }
                if (c != name.charAt(i)) {
                    break;
                }
            }
            if (i == name.length()) {
                return n;
            }
        }
        return -1;
    }

    /**
     * {@code body} through Netty's form decoder as Vert.x runs it for this server (UTF-8, memory attributes, the
     * same limits): the router's form map, or a {@link DecoderException} where the router answers 400.
     */
    static MultiMap decode(String contentType, byte[] body) {
        DefaultHttpDataFactory factory = new DefaultHttpDataFactory(false);
        factory.setMaxLimit(body.length);
        DefaultHttpRequest head = new DefaultHttpRequest(io.netty.handler.codec.http.HttpVersion.HTTP_1_1, HttpMethod.POST, "/send");
        head.headers().set(HttpHeaders.CONTENT_TYPE, contentType);
        HttpPostRequestDecoder decoder = new HttpPostRequestDecoder(factory, head, StandardCharsets.UTF_8, MAX_FIELDS,
                Math.max(body.length, 1));
        MultiMap form = MultiMap.caseInsensitiveMultiMap();
        try {
            decoder.offer(new DefaultHttpContent(Unpooled.wrappedBuffer(body)));
            decoder.offer(LastHttpContent.EMPTY_LAST_CONTENT);
            while (decoder.hasNext()) {
                InterfaceHttpData data = decoder.next();
                if (data instanceof Attribute attribute) {
                    try {
                        form.add(attribute.getName(), attribute.getValue());
                    } catch (IOException e) {
                        throw new DecoderException(e);
                    } finally {
                        attribute.release();
                    }
                }
            }
        } catch (HttpPostRequestDecoder.EndOfDataDecoderException e) {
            // how the decoder says that every field was read
        } finally {
            decoder.destroy();
        }
        return form;
    }
}
