package dev.herald.core.notify;

/**
 * One recorded delivery attempt.
 *
 * @param number     1 for the first attempt
 * @param at         when it started, ms since the epoch
 * @param latencyMs  how long it took
 * @param outcome    how it went
 * @param statusCode the endpoint's HTTP/SMTP status, or 0
 * @param error      the failure's detail, or {@code null} when it succeeded
 */
public record Attempt(int number, long at, long latencyMs, SendResult.Outcome outcome, int statusCode, String error) {
}
