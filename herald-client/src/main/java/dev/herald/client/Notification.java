package dev.herald.client;

/**
 * What e-mail and robots show of a message; every field is optional. Without a title the server's
 * {@code notify.default-title} is used, without a text the data (a JSON string as is, anything else as JSON).
 * <pre>{@code
 * Notification.of("Export finished", "Your export #7 is ready.").html("<p>Your export <b>#7</b> is ready.</p>")
 * }</pre>
 *
 * @param title    one line, at most 200 characters: the e-mail subject, robot heading, webhook {@code title}
 * @param text     the e-mail plain-text part, robots' {@code text} message
 * @param html     the e-mail HTML alternative
 * @param markdown robots send a {@code markdown} message instead of {@code text}
 */
public record Notification(String title, String text, String html, String markdown) {
    /** Longest title the server accepts. */
    public static final int MAX_TITLE_LENGTH = 200;

    public Notification {
        if (title != null && (title.length() > MAX_TITLE_LENGTH || title.indexOf('\n') >= 0 || title.indexOf('\r') >= 0)) {
            throw new IllegalArgumentException("a notification title is one line of at most " + MAX_TITLE_LENGTH + " characters");
        }
    }

    public static Notification of(String title, String text) {
        return new Notification(title, text, null, null);
    }

    public Notification html(String html) {
        return new Notification(title, text, html, markdown);
    }

    public Notification markdown(String markdown) {
        return new Notification(title, text, html, markdown);
    }
}
