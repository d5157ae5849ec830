package dev.herald.server.api;

import io.netty.handler.codec.http.QueryStringDecoder;

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
 * {@code ""}; names and values are percent-decoded as UTF-8 with {@code +} as a space (a malformed escape throws
 * {@link IllegalArgumentException} as {@code getParam} does, in any parameter); at most 1,024 parameters are
 * read; names match ignoring ASCII case; the first occurrence wins. {@code QueryParamsTest} checks all of it
 * against Vert.x itself. Stateless and thread-safe.
 */
final class QueryParams {
    /** Netty's and Vert.x's limit: parameters after the 1,024th are not read. */
    static final int MAX_PARAMS = 1024;

    private QueryParams() { }

    /**
     * The first value of each of {@code names} (lower-case ASCII) in {@code uri}'s query, {@code null} where absent.
     *
     * @throws IllegalArgumentException a malformed percent escape in any parameter (as Vert.x's decoding)
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
            values[wanted] = uri.substring(valueStart, valueEnd);
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
        return QueryStringDecoder.decodeComponent(s.substring(from, to), StandardCharsets.UTF_8);
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
