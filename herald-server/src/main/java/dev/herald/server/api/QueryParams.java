package dev.herald.server.api;

import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.http.HttpServerRequest;

import java.nio.charset.StandardCharsets;

/**
 * The first value of a few query parameters, read the way Vert.x's {@code HttpServerRequest.getParam} reads them,
 * without building the whole parameter map. {@code getParam} decodes every parameter into a map of lists (Netty's
 * {@link QueryStringDecoder}) and copies it into a case-insensitive {@code MultiMap}: on the seed's
 * {@code GET /send?uid=&message=} that was the largest single cost of the request (~18 % of the CPU samples).
 *
 * <p>Same reading as Vert.x 5 ({@code HttpUtils.params(uri, UTF-8, semicolonIsNormalChar=false)}): parameters
 * start after the first {@code ?} (none when a {@code #} comes first) and end at {@code #}; {@code &} and
 * {@code ;} separate them; a leading {@code =} of a name is skipped; a parameter without {@code =} has the value
 * {@code ""}; names and values are percent-decoded as UTF-8 with {@code +} as a space; at most 1,024 parameters
 * are read; names match ignoring ASCII case; the first occurrence wins. {@code QueryParamsTest} checks all of it
 * against Vert.x itself.
 *
 * <p>The one way Herald's routes read a query parameter: where {@code getParam} throws an
 * {@link IllegalArgumentException} on a malformed percent escape (in any parameter), which the router would
 * answer with 500 and an ERROR log line, this throws the catalogued {@code 400 invalid_request}. Client input
 * never reaches the log or the answer. Stateless and thread-safe.
 */
final class QueryParams {
    /** Netty's and Vert.x's limit: parameters after the 1,024th are not read. */
    static final int MAX_PARAMS = 1024;

    private QueryParams() { }

    /** {@link #first(String, String...)} of the request's URI. */
    static String[] first(HttpServerRequest request, String... names) {
        return first(request.uri(), names);
    }

    /** The first value of {@code name} (lower-case ASCII) in the request's query, {@code null} when absent. */
    static String get(HttpServerRequest request, String name) {
        return first(request.uri(), name)[0];
    }

    /**
     * The first value of each of {@code names} (lower-case ASCII) in {@code uri}'s query, {@code null} where absent.
     *
     * @throws HeraldException {@code invalid_request}: a malformed percent escape in any parameter (where Vert.x's
     *                         decoding throws {@link IllegalArgumentException})
     */
    static String[] first(String uri, String... names) {
        String[] values = new String[names.length];
        int len = uri.length();
        int from = pathEnd(uri);
        if (from >= len) {
            return values;
        }
        if (uri.charAt(from) == '?') {
            from++;
        }
        int nameStart = from;
        int valueStart = -1;
        int left = MAX_PARAMS;
        int i;
        scan:
        for (i = from; i < len; i++) {
            switch (uri.charAt(i)) {
                case '=' -> {
                    if (nameStart == i) {
                        nameStart = i + 1;
                    } else if (valueStart < nameStart) {
                        valueStart = i + 1;
                    }
                }
                case '&', ';' -> {
                    if (nameStart < i) {
                        take(uri, nameStart, valueStart, i, names, values);
                        if (--left == 0) {
                            return values;
                        }
                    }
                    nameStart = i + 1;
                }
                case '#' -> {
                    break scan;
                }
                default -> { }
            }
        }
        if (nameStart < i) {
            take(uri, nameStart, valueStart, i, names, values);
        }
        return values;
    }

    /** One parameter {@code uri[nameStart, valueEnd)}: decoded (as Vert.x decodes every one) and kept if wanted. */
    private static void take(String uri, int nameStart, int valueStart, int valueEnd, String[] names, String[] values) {
        if (valueStart <= nameStart) {
            valueStart = valueEnd + 1; // no '=': the whole part is the name, the value is ""
        }
        int nameEnd = valueStart - 1;
        int wanted = -1;
        if (needsDecoding(uri, nameStart, nameEnd)) {
            String name = decode(uri, nameStart, nameEnd);
            for (int n = 0; n < names.length && wanted < 0; n++) {
                if (equalsIgnoreAsciiCase(name, 0, name.length(), names[n])) {
                    wanted = n;
                }
            }
        } else {
            for (int n = 0; n < names.length && wanted < 0; n++) {
                if (equalsIgnoreAsciiCase(uri, nameStart, nameEnd, names[n])) {
                    wanted = n;
                }
            }
        }
        boolean first = wanted >= 0 && values[wanted] == null;
        if (valueStart >= valueEnd) {
            if (first) {
                values[wanted] = "";
            }
        } else if (needsDecoding(uri, valueStart, valueEnd)) {
            String value = decode(uri, valueStart, valueEnd); // decoded even when unwanted: a bad escape fails alike
            if (first) {
                values[wanted] = value;
            }
        } else if (first) {
            values[wanted] = uri.regionMatches(valueStart, "false", 0, 5) && valueEnd - valueStart == 5
                    ? "false" // the seed's persist=false, on nearly every fire-and-forget request: no copy of it
                    : uri.substring(valueStart, valueEnd);
        }
    }

    private static int pathEnd(String uri) {
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                return i;
            }
        }
        return uri.length();
    }

    private static boolean needsDecoding(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%' || c == '+') {
                return true;
            }
        }
        return false;
    }

    private static String decode(String s, int from, int to) {
        try {
            return QueryStringDecoder.decodeComponent(s.substring(from, to), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw malformed();
        }
    }

    /**
     * Throws {@code invalid_request} when {@code uri}'s query has a malformed percent escape: what makes Vert.x's
     * {@code request.params()} throw. The router calls it first, because vertx-web reads {@code params()} itself
     * when it matches a route with path parameters.
     */
    static void requireWellFormed(String uri) {
        int len = uri.length();
        int i = pathEnd(uri);
        if (i < len && uri.charAt(i) == '#') {
            return;
        }
        for (; i < len; i++) {
            char c = uri.charAt(i);
            if (c == '#') {
                return;
            }
            if (c == '%') {
                if (i + 2 >= len || Character.digit(uri.charAt(i + 1), 16) < 0 || Character.digit(uri.charAt(i + 2), 16) < 0) {
                    throw malformed();
                }
                i += 2;
            }
        }
    }

    /** The answer to a malformed percent escape; it never quotes the query (client input). */
    static HeraldException malformed() {
        return ErrorCode.INVALID_REQUEST.exception("the query string has a malformed percent escape (% must be followed by two hex digits)");
    }

    /** {@code s[from, to)} equals {@code lower} (lower-case ASCII) ignoring the case of ASCII letters only. */
    private static boolean equalsIgnoreAsciiCase(String s, int from, int to, String lower) {
        if (to - from != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            char c = s.charAt(from + i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
