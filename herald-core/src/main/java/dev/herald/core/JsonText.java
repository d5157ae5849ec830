package dev.herald.core;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/** Small JSON text helpers shared by the codec and the API. */
public final class JsonText {
    private JsonText() { }

    /** {@code s} as a JSON string literal, quotes included. */
    public static String quote(String s) {
        char[] escaped = JsonStringEncoder.getInstance().quoteAsString(s);
        return new StringBuilder(escaped.length + 2).append('"').append(escaped).append('"').toString();
    }

    /** {@code s} shortened and stripped of control characters, safe to echo in an error message or log. */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 64));
        for (int i = 0; i < s.length() && sb.length() < 64; i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > 64 ? sb + "…" : sb.toString();
    }
}
