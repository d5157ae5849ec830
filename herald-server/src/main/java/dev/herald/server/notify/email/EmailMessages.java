package dev.herald.server.notify.email;

import dev.herald.core.notify.Notification;
import io.vertx.core.MultiMap;
import io.vertx.ext.mail.MailMessage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns a {@link Notification} into the MIME message the SMTP client sends: subject from the title, the plain
 * text always, and the HTML as a {@code multipart/alternative} sibling when there is one.
 *
 * <p>No caller input goes into a header raw: the subject loses its control characters (so a title cannot
 * add header lines with CR/LF), ids go in only when they are plain tokens (otherwise as a hash), the recipient
 * was checked by {@link EmailAddresses}. The {@code Message-ID} is derived from the delivery id, so every retry
 * of one delivery carries the same one and a mailbox (or a person) can recognise a duplicate after a lost
 * {@code 250}. Stateless.
 */
final class EmailMessages {
    /** Longest subject kept: RFC 5322 lines stay short and mail clients cut long subjects anyway. */
    static final int MAX_SUBJECT = 200;
    static final String NO_SUBJECT = "(no subject)";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}+");
    /** RFC 5322 specials that force a display name into quotes. */
    private static final Pattern NAME_SPECIALS = Pattern.compile("[,;:@.\\[\\]]");

    private final SmtpSettings settings;
    private final String from;
    private final String messageIdDomain;

    EmailMessages(SmtpSettings settings) {
        this.settings = settings;
        this.from = fromHeader(settings.fromAddress(), settings.fromName());
        this.messageIdDomain = EmailAddresses.domainOf(settings.fromAddress());
    }

    /** The message for one attempt; {@code recipient} is an address {@link EmailAddresses#normalise} accepted. */
    MailMessage build(Notification notification, String recipient) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .set("Message-ID", messageId(notification.deliveryId()))
                .set("X-Herald-Message-Id", token(notification.messageId()))
                .set("X-Herald-Delivery-Id", token(notification.deliveryId()))
                // RFC 3834: out-of-office robots must not answer it, so no reply loops.
                .set("Auto-Submitted", "auto-generated");
        MailMessage message = new MailMessage()
                .setFrom(from)
                .setBounceAddress(settings.fromAddress())
                .setTo(List.of(recipient))
                .setSubject(subject(notification.title()))
                .setText(notification.text() == null ? "" : notification.text())
                .setHeaders(headers);
        if (notification.html() != null && !notification.html().isBlank()) {
            message.setHtml(notification.html());
        }
        return message;
    }

    /** {@code <herald.DELIVERY-ID@sender-domain>}: the same for every attempt of one delivery. */
    String messageId(String deliveryId) {
        return "<herald." + token(deliveryId) + "@" + messageIdDomain + ">";
    }

    /** The title on one line: control characters (CR, LF, tab…) become a space, at most {@link #MAX_SUBJECT} characters. */
    static String subject(String title) {
        String oneLine = title == null ? "" : CONTROL.matcher(title).replaceAll(" ").strip();
        if (oneLine.isEmpty()) {
            return NO_SUBJECT;
        }
        if (oneLine.length() > MAX_SUBJECT) {
            int end = MAX_SUBJECT - 1;
            if (Character.isHighSurrogate(oneLine.charAt(end - 1))) {
                end--; // never split a surrogate pair
            }
            return oneLine.substring(0, end) + "…";
        }
        return oneLine;
    }

    /** An id as it may stand in a header: itself when it is a plain token, else {@code sha256-} and a hash of it. */
    static String token(String id) {
        if (id != null && TOKEN.matcher(id).matches()) {
            return id;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(String.valueOf(id).getBytes(StandardCharsets.UTF_8));
            return "sha256-" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * {@code Display Name <address>}. The name comes from configuration, but it is still made safe: control
     * characters were refused by {@link SmtpSettings}, characters that would end the name early ({@code " \ < > ( )})
     * are dropped, and an ASCII name with specials such as a comma is quoted. A non-ASCII name is left to the mail
     * client, which encodes it (RFC 2047).
     */
    static String fromHeader(String address, String name) {
        if (name == null) {
            return address;
        }
        String safe = name.replaceAll("[\"\\\\<>()]", "").strip();
        if (safe.isEmpty()) {
            return address;
        }
        boolean ascii = safe.chars().allMatch(c -> c < 128);
        if (ascii && NAME_SPECIALS.matcher(safe).find()) {
            safe = "\"" + safe + "\"";
        }
        return safe + " <" + address + ">";
    }
}
