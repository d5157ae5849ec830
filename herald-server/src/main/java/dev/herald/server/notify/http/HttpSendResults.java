package dev.herald.server.notify.http;

import dev.herald.core.JsonText;
import dev.herald.core.notify.SendResult;
import dev.herald.server.notify.http.OutboundResult.Failure;
import dev.herald.server.notify.http.OutboundResult.Reason;
import dev.herald.server.notify.http.OutboundResult.Response;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The HTTP meaning of an {@link OutboundResult} as a {@link SendResult}, shared by every HTTP channel
 * (vendors then look inside 200 answers for their own error codes):
 * <ul>
 *   <li>2xx: OK</li>
 *   <li>410 Gone: GONE (the contact is disabled)</li>
 *   <li>408, 425, 429, 5xx: RETRY, with the endpoint's {@code Retry-After} (seconds or an HTTP date)</li>
 *   <li>3xx: PERMANENT (redirects are not followed: they could point inside the network)</li>
 *   <li>other 4xx and anything else: PERMANENT</li>
 *   <li>no answer (refused, reset, timed out, unresolved): RETRY; a refused address or an unsendable
 *       request: PERMANENT</li>
 * </ul>
 */
public final class HttpSendResults {
    /** A {@code Retry-After} longer than this is taken as this: a day is already "not now". */
    static final Duration MAX_RETRY_AFTER = Duration.ofDays(1);
    private static final int MAX_DETAIL = 200;

    private HttpSendResults() { }

    /** {@code url}: the URL that was called, whose path and query are scrubbed from body excerpts. */
    public static SendResult of(OutboundResult result, URI url) {
        return of(result, url, Clock.systemUTC());
    }

    /**
     * As {@link #of(OutboundResult, URI)}, but for robots that put their own error code in the body: a 2xx
     * answer is judged by {@code judgeAnswer}; and when a refusing status (4xx) comes with a code the robot
     * calls retryable (rate limited, busy), the code wins: vendors do not document which status carries it.
     */
    public static SendResult of(OutboundResult result, URI url, Function<Response, SendResult> judgeAnswer) {
        SendResult byStatus = of(result, url);
        if (!(result instanceof Response r)) {
            return byStatus;
        }
        if (byStatus.outcome() == SendResult.Outcome.OK) {
            return judgeAnswer.apply(r);
        }
        if (byStatus.outcome() == SendResult.Outcome.PERMANENT && r.status() >= 400 && json(r) != null) {
            SendResult byCode = judgeAnswer.apply(r);
            if (byCode.outcome() == SendResult.Outcome.RETRY) {
                return byCode;
            }
        }
        return byStatus;
    }

    /** A robot's JSON answer, or {@code null} when the body is not a complete JSON object. */
    public static JsonObject json(Response r) {
        if (r.truncated()) {
            return null;
        }
        try {
            return new JsonObject(r.body());
        } catch (RuntimeException e) { // DecodeException, or a JSON value that is not an object
            return null;
        }
    }

    /** What an unreadable 2xx robot answer means: the robot may have posted it, but nothing proves it. */
    public static SendResult unreadableAnswer(Response r, URI url) {
        return SendResult.permanent("HTTP " + r.status() + " with an unexpected answer" + bodyHint(r.body(), url), r.status());
    }

    /**
     * The verdict on a 2xx answer of a robot that reports {@code {"errcode":…,"errmsg":…}} (WeCom, DingTalk): 0
     * delivered; {@code rateLimitedCode} retried after {@code pause} (the limit is per minute: sooner only fails
     * again); -1 (system busy) retried; anything else (bad token, bad signature, missing keyword) permanent.
     */
    public static SendResult errcodeAnswer(Response answer, URI url, String vendor, int rateLimitedCode, Duration pause) {
        JsonObject json = json(answer);
        if (json == null || !(json.getValue("errcode") instanceof Number)) {
            return unreadableAnswer(answer, url);
        }
        int code = json.getInteger("errcode");
        if (code == 0) {
            return SendResult.ok(answer.status());
        }
        String detail = vendor + " errcode " + code + ": " + excerpt(java.util.Objects.toString(json.getValue("errmsg"), ""), url);
        if (code == rateLimitedCode) {
            return SendResult.retry(detail, answer.status(), pause);
        }
        return code == SYSTEM_BUSY
                ? SendResult.retry(detail, answer.status(), null)
                : SendResult.permanent(detail, answer.status());
    }

    /** The errcode WeCom and DingTalk both use for "system busy, try again". */
    static final int SYSTEM_BUSY = -1;

    static SendResult of(OutboundResult result, URI url, Clock clock) {
        return switch (result) {
            case Failure f -> f.reason() == Reason.ADDRESS_NOT_ALLOWED || f.reason() == Reason.BAD_REQUEST
                    ? SendResult.permanent(f.detail(), 0)
                    : SendResult.retry(f.detail());
            case Response r -> ofStatus(r, url, clock);
        };
    }

    private static SendResult ofStatus(Response r, URI url, Clock clock) {
        int status = r.status();
        if (status >= 200 && status < 300) {
            return SendResult.ok(status);
        }
        String detail = "HTTP " + status + bodyHint(r.body(), url);
        if (status == 410) {
            return SendResult.gone(detail, status);
        }
        if (status == 408 || status == 425 || status == 429 || status >= 500) {
            return SendResult.retry(detail, status, retryAfter(r.header("retry-after"), clock));
        }
        if (status >= 300 && status < 400) {
            return SendResult.permanent("HTTP " + status + " redirect (not followed)", status);
        }
        return SendResult.permanent(detail, status);
    }

    /**
     * {@code ": <start of the body>"} as printable text, or nothing for an empty body. An error page may
     * quote the request ("Cannot POST /hook/&lt;token&gt;"), so the URL's path and query values are blanked.
     */
    public static String bodyHint(String body, URI url) {
        if (body == null || body.isBlank()) {
            return "";
        }
        return ": " + excerpt(body, url);
    }

    /** A vendor's message ({@code errmsg}) made safe for a detail: printable, short, URL parts blanked. */
    public static String excerpt(String text, URI url) {
        if (text == null) {
            return "";
        }
        String s = text.strip();
        s = s.length() > MAX_DETAIL ? s.substring(0, MAX_DETAIL) : s;
        for (String secretish : credentialParts(url)) {
            s = s.replace(secretish, "…");
        }
        return JsonText.printable(s);
    }

    /** The parts of a URL that may be a credential: the path and every query value, raw and decoded. */
    private static List<String> credentialParts(URI url) {
        List<String> parts = new ArrayList<>();
        addPart(parts, url.getRawPath());
        addPart(parts, url.getPath());
        if (url.getRawQuery() != null) {
            for (String pair : url.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                String value = eq < 0 ? pair : pair.substring(eq + 1);
                addPart(parts, value);
                try {
                    addPart(parts, URLDecoder.decode(value, StandardCharsets.UTF_8));
                } catch (IllegalArgumentException malformed) {
                    // the raw form is blanked already
                }
                for (String segment : value.split("/")) {
                    addPart(parts, segment);
                }
            }
        }
        if (url.getRawPath() != null) {
            for (String segment : url.getRawPath().split("/")) {
                addPart(parts, segment);
            }
        }
        parts.sort(Comparator.comparingInt(String::length).reversed()); // longest first: no partial leftovers
        return parts;
    }

    private static void addPart(List<String> parts, String part) {
        // Vendor tokens are long (WeCom's key and Feishu's token are UUIDs, Slack's secret has 24 characters);
        // words like "webhook" or "services" are not, and blanking them would make details unreadable.
        if (part != null && part.length() >= 12) {
            parts.add(part);
        }
    }

    /**
     * A {@code Retry-After} value: delta-seconds or an HTTP date (RFC 9110 §10.2.3), clamped to
     * [0, {@link #MAX_RETRY_AFTER}]; {@code null} when absent or unreadable.
     */
    public static Duration retryAfter(String value, Clock clock) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        Duration d;
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                d = Duration.ofSeconds(Long.parseLong(v));
            } catch (NumberFormatException e) {
                d = MAX_RETRY_AFTER; // more digits than a long: "very long"
            }
        } else {
            try {
                d = Duration.between(clock.instant(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        if (d.isNegative()) {
            return Duration.ZERO;
        }
        return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
    }
}
