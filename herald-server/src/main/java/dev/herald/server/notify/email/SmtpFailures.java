package dev.herald.server.notify.email;

import dev.herald.core.notify.SendResult;
import io.vertx.ext.mail.SMTPException;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Maps how an SMTP attempt failed to a {@link SendResult}:
 * <ul>
 *   <li>a 4xx reply (421, 450, 451, 452, 454…), connection refused, timeouts, a failed TLS handshake, a dropped
 *       connection → {@code RETRY}: the server or the path is having a bad moment;</li>
 *   <li>a 5xx reply (550, 551, 553 bad or unknown mailbox, 552, 554…) → {@code PERMANENT};</li>
 *   <li>a configuration error that no retry can fix → {@code PERMANENT} and {@link Failure#configurationError()}:
 *       AUTH refused (535), no usable AUTH mechanism, STARTTLS required but not offered. Retrying would only
 *       hide the mistake behind a growing queue; the notifier logs it loudly instead.</li>
 * </ul>
 * Details are one line, bounded, and never carry the password (it is masked should a server ever echo it).
 */
final class SmtpFailures {
    static final int MAX_DETAIL = 300;
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}+");

    /** The result of one failed attempt, and whether it is the operator's to fix. */
    record Failure(SendResult result, boolean configurationError) {
    }

    private final SmtpSettings settings;

    SmtpFailures(SmtpSettings settings) {
        this.settings = settings;
    }

    Failure classify(Throwable failure) {
        SMTPException smtp = find(failure, SMTPException.class);
        if (smtp != null) {
            return reply(smtp);
        }
        String message = String.valueOf(failure.getMessage());
        if (message.contains("STARTTLS required but not supported")) {
            return config("the SMTP server " + settings.server() + " does not offer STARTTLS and email.tls is "
                    + SmtpTls.STARTTLS.configValue() + ": not sent in clear");
        }
        if (message.contains("no allowed AUTH methods available")) {
            return config("the SMTP server " + settings.server() + " offers no AUTH PLAIN or LOGIN"
                    + (settings.tls() == SmtpTls.NONE ? " (many servers offer AUTH only after STARTTLS: check email.tls)" : ""));
        }
        if (find(failure, SSLException.class) != null) {
            return retry("TLS handshake with " + settings.server() + " failed: " + rootMessage(failure));
        }
        if (find(failure, UnknownHostException.class) != null) {
            return retry("cannot resolve SMTP host " + settings.host());
        }
        if (find(failure, ConnectException.class) != null || find(failure, NoRouteToHostException.class) != null) {
            return retry("cannot connect to SMTP server " + settings.server() + ": " + rootMessage(failure));
        }
        if (find(failure, TimeoutException.class) != null || message.toLowerCase(Locale.ROOT).contains("timed out")) {
            return retry("SMTP server " + settings.server() + " timed out: " + rootMessage(failure));
        }
        if (find(failure, IOException.class) != null || message.contains("closed")) {
            return retry("SMTP server " + settings.server() + " closed the connection: " + rootMessage(failure));
        }
        return retry("SMTP send to " + settings.server() + " failed: " + rootMessage(failure));
    }

    /** The attempt outlived {@link SmtpSettings#sendTimeout()}. */
    SendResult timedOut() {
        return SendResult.retry("no answer from SMTP server " + settings.server() + " within "
                + dev.herald.core.message.Durations.format(settings.sendTimeout()));
    }

    private Failure reply(SMTPException e) {
        int code = e.getReplyCode();
        String what = clean(e.getMessage()); // e.g. "recipient address not accepted: 550 5.1.1 no such user"
        if (what.startsWith("AUTH ") && code >= 500) {
            return new Failure(SendResult.permanent("SMTP authentication failed (" + what
                    + "): check email.username/password", code), true);
        }
        if (code >= 400 && code < 500) {
            return new Failure(SendResult.retry(bound("SMTP " + what), code, null), false);
        }
        if (code >= 500 && code < 600) {
            return new Failure(SendResult.permanent(bound("SMTP " + what), code), false);
        }
        return new Failure(SendResult.retry(bound("SMTP unexpected reply: " + what), code, null), false);
    }

    private Failure config(String detail) {
        return new Failure(SendResult.permanent(bound(detail), 0), true);
    }

    private Failure retry(String detail) {
        return new Failure(SendResult.retry(bound(clean(detail))), false);
    }

    private String bound(String detail) {
        String masked = clean(detail);
        return masked.length() <= MAX_DETAIL ? masked : masked.substring(0, MAX_DETAIL - 1) + "…";
    }

    /** One line, and the password masked: a detail ends up in logs, dead letters and the admin API. */
    private String clean(String text) {
        String oneLine = CONTROL.matcher(String.valueOf(text)).replaceAll(" ").strip();
        String password = settings.password();
        return password == null ? oneLine : oneLine.replace(password, "****");
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
