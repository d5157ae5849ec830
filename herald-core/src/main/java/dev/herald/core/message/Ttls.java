package dev.herald.core.message;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses a message's {@code ttl}: seconds as a number, or text like {@code 90s}, {@code 15m}, {@code 24h}, {@code 7d}. */
public final class Ttls {
    private static final Pattern TEXT = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private Ttls() { }

    /** Returns the duration, or {@code null} when the text is not one. */
    public static Duration parse(String text) {
        Matcher m = TEXT.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
