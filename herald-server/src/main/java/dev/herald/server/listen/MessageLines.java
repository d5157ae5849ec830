package dev.herald.server.listen;

import dev.herald.client.ReceivedMessage;
import dev.herald.core.JsonText;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** How {@code herald listen} prints a message: a readable line, or one JSON object per line for pipes. */
public final class MessageLines {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private MessageLines() { }

    /**
     * {@code 2026-12-07 20:45:01  news  order 42 shipped}: local time, the stream (a topic, "all" or "inbox"), the text.
     * A message whose data holds a {@code notification} object shows its title and body as the desktop notice does
     * ({@link NoticeText}): {@code … inbox  Order shipped — parcel 42 left the warehouse}.
     */
    public static String readable(ReceivedMessage m) {
        NoticeText notice = NoticeText.ofNotification(m);
        String text = notice == null ? m.text() : notice.body().isEmpty() ? notice.title() : notice.title() + " — " + notice.body();
        return TIME.format(Instant.ofEpochMilli(m.ts())) + "  " + source(m) + "  " + oneLine(text);
    }

    /** The envelope as the server sent it, less the frame type: {@code {"id","ts","topic"?,"all"?,"pos"?,"epoch"?,"data"}}. */
    public static String json(ReceivedMessage m) {
        StringBuilder b = new StringBuilder("{\"id\":").append(JsonText.quote(m.id())).append(",\"ts\":").append(m.ts());
        if (m.topic() != null) {
            b.append(",\"topic\":").append(JsonText.quote(m.topic()));
        }
        if (m.all()) {
            b.append(",\"all\":true");
        }
        if (m.position() != null) {
            b.append(",\"pos\":").append(m.position().pos()).append(",\"epoch\":").append(JsonText.quote(m.position().epoch()));
        }
        // raw line breaks can only be whitespace between JSON tokens (inside strings they are escaped): one message, one line
        return b.append(",\"data\":").append(m.dataJson().replace('\n', ' ').replace('\r', ' ')).append('}').toString();
    }

    static String source(ReceivedMessage m) {
        if (m.topic() != null) {
            return m.topic();
        }
        return m.all() ? "all" : "inbox";
    }

    /** Line breaks and other control characters shown as spaces: one message, one line, whatever it holds. */
    static String oneLine(String text) {
        StringBuilder b = new StringBuilder(text.length());
        text.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return b.toString();
    }
}
