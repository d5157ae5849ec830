package dev.herald.server.listen;

import dev.herald.client.ReceivedMessage;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * The title and body of a message's desktop notice: its data's {@code notification} object ({@code title}, and
 * {@code text} or {@code body}) when it has one, else "Herald" (with the topic) and the text data.
 *
 * @param title one line
 * @param body  at most {@link #MAX_BODY} characters
 */
record NoticeText(String title, String body) {
    static final int MAX_BODY = 300;
    static final String DEFAULT_TITLE = "Herald";

    static NoticeText of(ReceivedMessage m) {
        String fallbackTitle = fallbackTitle(m);
        NoticeText notification = ofNotification(m);
        return notification != null ? notification : of(fallbackTitle, m.text());
    }

    /** The notice of a message whose data holds a {@code notification} object, else {@code null}. */
    static NoticeText ofNotification(ReceivedMessage m) {
        String data = m.dataJson();
        if (data != null && data.startsWith("{")) {
            try {
                Object n = new JsonObject(data).getValue("notification");
                if (n instanceof JsonObject notification) {
                    String title = text(notification.getValue("title"));
                    String body = text(notification.getValue("text"));
                    return of(title != null ? title : fallbackTitle(m), body != null ? body : text(notification.getValue("body")));
                }
            } catch (DecodeException | ClassCastException e) {
                // not an object we can read: the caller shows it as text
            }
        }
        return null;
    }

    private static String fallbackTitle(ReceivedMessage m) {
        return m.topic() != null ? DEFAULT_TITLE + " · " + m.topic() : DEFAULT_TITLE;
    }

    private static NoticeText of(String title, String body) {
        String b = body == null ? "" : body.strip();
        return new NoticeText(MessageLines.oneLine(title), b.length() > MAX_BODY ? b.substring(0, MAX_BODY - 1) + "…" : b);
    }

    private static String text(Object value) {
        return value instanceof String s && !s.isBlank() ? s : null;
    }
}
