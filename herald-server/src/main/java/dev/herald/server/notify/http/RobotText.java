package dev.herald.server.notify.http;

import dev.herald.core.notify.Notification;

import java.nio.charset.StandardCharsets;

/**
 * The text forms chat robots post: the title and the body in one message, cut to the vendor's size limit
 * (a message over the limit is refused outright, which would make a long notification undeliverable).
 */
public final class RobotText {
    private static final String ELLIPSIS = "…";

    private RobotText() { }

    /** Title, a line break, the plain text; just the text when the title is empty or repeats it. */
    public static String plain(Notification n) {
        return join(n.title(), n.text());
    }

    /** Whether the notification has a markdown body to use instead of the plain text. */
    public static boolean hasMarkdown(Notification n) {
        return n.markdown() != null && !n.markdown().isBlank();
    }

    static String join(String title, String body) {
        String t = title == null ? "" : title.strip();
        String b = body == null ? "" : body;
        if (t.isEmpty() || b.startsWith(t)) {
            return b;
        }
        return b.isEmpty() ? t : t + "\n" + b;
    }

    /** {@code s} cut to at most {@code maxBytes} UTF-8 bytes (ending in "…" when cut), never splitting a character. */
    public static String limitUtf8(String s, int maxBytes) {
        if (s.length() * 3 <= maxBytes || s.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return s;
        }
        int budget = maxBytes - ELLIPSIS.getBytes(StandardCharsets.UTF_8).length;
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            i += Character.charCount(cp);
        }
        return s.substring(0, i) + ELLIPSIS;
    }

    /** {@code s} cut to at most {@code maxChars} UTF-16 characters (ending in "…" when cut), never splitting a pair. */
    public static String limitChars(String s, int maxChars) {
        if (s.length() <= maxChars) {
            return s;
        }
        int end = maxChars - 1;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + ELLIPSIS;
    }
}
