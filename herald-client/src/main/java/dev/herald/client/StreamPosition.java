package dev.herald.client;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A place in one stream (the user's inbox, the broadcast log, a topic's log): the position of the last message
 * delivered there and the stream's epoch. Written {@code <pos>@<epoch>} on the wire, or {@code 0} for "before the
 * stream's first message, whatever epoch it gets" ({@link #START}); see docs/protocol.md, "positions".
 *
 * @param pos   1, 2, 3… per stream; 0 only for {@link #START}
 * @param epoch opaque, compared only; empty for {@link #START}
 */
public record StreamPosition(long pos, String epoch) {
    /** A stream nobody has written to yet. */
    public static final StreamPosition START = new StreamPosition(0, "");
    /** As the server reads it (StreamPosition.parseCursor on the server side). */
    private static final Pattern CURSOR = Pattern.compile("([1-9][0-9]{0,18})@([A-Za-z0-9]{1,32})");

    /** The position a cursor text names, or null when the text is not a cursor. */
    public static StreamPosition parse(String text) {
        if ("0".equals(text)) {
            return START;
        }
        if (text == null) {
            return null;
        }
        Matcher m = CURSOR.matcher(text);
        if (!m.matches()) {
            return null;
        }
        try {
            return new StreamPosition(Long.parseLong(m.group(1)), m.group(2));
        } catch (NumberFormatException tooLarge) {
            return null;
        }
    }

    /** The cursor form the server reads back as {@code since}. */
    @Override
    public String toString() {
        return pos == 0 ? "0" : pos + "@" + epoch;
    }
}
