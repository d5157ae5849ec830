package dev.herald.core.notify;

import java.time.Duration;
import java.util.Objects;

/**
 * How one attempt went.
 *
 * @param outcome    see {@link Outcome}
 * @param detail     a short human-readable reason ({@code "HTTP 503"}, {@code "connect timed out"}, the vendor's
 *                   error message); never a secret. {@code null} for {@code OK}
 * @param statusCode the HTTP or SMTP status the endpoint answered, or 0 when there was no answer
 * @param retryAfter the endpoint's {@code Retry-After}, or {@code null}
 */
public record SendResult(Outcome outcome, String detail, int statusCode, Duration retryAfter) {
    public enum Outcome {
        /** Delivered: the endpoint accepted it. */
        OK,
        /** Worth another try later: timeout, connection refused, 408, 429, 5xx, a vendor's "rate limited". */
        RETRY,
        /** Will never work as it is: other 4xx, bad address, a vendor's "invalid token". Not retried. */
        PERMANENT,
        /** The endpoint says it is gone for good (HTTP 410): not retried, and the contact is disabled. */
        GONE
    }

    public SendResult {
        Objects.requireNonNull(outcome, "outcome");
    }

    public static SendResult ok(int statusCode) {
        return new SendResult(Outcome.OK, null, statusCode, null);
    }

    public static SendResult retry(String detail, int statusCode, Duration retryAfter) {
        return new SendResult(Outcome.RETRY, detail, statusCode, retryAfter);
    }

    public static SendResult retry(String detail) {
        return new SendResult(Outcome.RETRY, detail, 0, null);
    }

    public static SendResult permanent(String detail, int statusCode) {
        return new SendResult(Outcome.PERMANENT, detail, statusCode, null);
    }

    public static SendResult gone(String detail, int statusCode) {
        return new SendResult(Outcome.GONE, detail, statusCode, null);
    }
}
