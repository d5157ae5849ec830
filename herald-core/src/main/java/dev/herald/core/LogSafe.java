package dev.herald.core;

/**
 * Makes a value a client can influence (a frame field, a header, a JWT header or claim, a query string, a user id, an
 * origin) safe to put in a log line: control characters are escaped, so a {@code "\n"} in a client's value cannot start
 * a forged log line, and the value is capped, so a client cannot flood the log. Every log statement that carries such a
 * value passes it through here; values Herald made itself (connection ids, counts, config) need not.
 *
 * <p>Escapes: {@code \n \r \t} as themselves, other ISO control characters (C0, DEL, C1) and the Unicode line and
 * paragraph separators (U+2028, U+2029) as {@code \\uXXXX}; a backslash is doubled so an escape cannot be forged
 * either. Values longer than {@link #MAX_LENGTH} characters are cut and end with {@code …(N chars)}.
 * Stateless and thread-safe.
 */
public final class LogSafe {
    /** Characters of a client value kept in a log line; enough for a JWT header, an origin, a topic list. */
    public static final int MAX_LENGTH = 200;

    private LogSafe() { }

    /** {@code s} escaped and capped; {@code "null"} for null (as SLF4J prints it). */
    public static String value(Object s) {
        if (s == null) {
            return "null";
        }
        String text = s.toString();
        int cut = Math.min(text.length(), MAX_LENGTH);
        if (cut > 0 && cut < text.length() && Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--; // never split a surrogate pair
        }
        StringBuilder out = null;
        for (int i = 0; i < cut; i++) {
            char c = text.charAt(i);
            if (needsEscape(c)) {
                if (out == null) {
                    out = new StringBuilder(cut + 16).append(text, 0, i);
                }
                escape(c, out);
            } else if (out != null) {
                out.append(c);
            }
        }
        if (out == null && cut == text.length()) {
            return text;
        }
        if (out == null) {
            out = new StringBuilder(cut + 16).append(text, 0, cut);
        }
        if (cut < text.length()) {
            out.append("…(").append(text.length()).append(" chars)");
        }
        return out.toString();
    }

    /** {@link #value} in double quotes, so an empty or blank value is visible; {@code null} unquoted. */
    public static String quoted(Object s) {
        return s == null ? "null" : '"' + value(s).replace("\"", "\\\"") + '"';
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\\' || c == '\u2028' || c == '\u2029';
    }

    private static void escape(char c, StringBuilder out) {
        switch (c) {
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            case '\\' -> out.append("\\\\");
            default -> out.append(String.format("\\u%04x", (int) c));
        }
    }
}
