package dev.herald.core.message;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Human durations, as a message's {@code ttl} and the configuration write them: a number and a unit,
 * {@code 500ms}, {@code 90s}, {@code 15m}, {@code 24h}, {@code 7d}. {@link #format} writes them back the
 * same way, for logs and printed configuration (never ISO-8601 {@code PT10S}).
 */
public final class Durations {
    private static final Pattern TEXT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() { }

    /**
     * Returns the duration, or {@code null} when the text is not one.
     *
     * @throws ArithmeticException when the number does not fit a {@link Duration}
     */
    public static Duration parse(String text) {
        Matcher m = TEXT.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new ArithmeticException("too large: " + m.group(1));
        }
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /**
     * The duration in the largest unit that holds it exactly, as {@link #parse} reads it: {@code 10s},
     * {@code 1500ms}, {@code 5m}, {@code 24h}, {@code 7d}; {@code 0s} for zero. Negative durations keep
     * their sign; sub-millisecond parts are dropped.
     */
    public static String format(Duration duration) {
        if (duration.isNegative()) {
            return "-" + format(duration.negated());
        }
        long ms = duration.toMillis();
        if (ms == 0) {
            return "0s";
        }
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms % sizes[i] == 0) {
                return ms / sizes[i] + units[i];
            }
        }
        return ms + "ms";
    }
}
