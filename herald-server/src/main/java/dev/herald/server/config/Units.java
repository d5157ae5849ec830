package dev.herald.server.config;

import dev.herald.core.message.Durations;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the human units of configuration values: durations ({@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}) and sizes ({@code 64KiB}, {@code 1MiB}, {@code 65536}). */
final class Units {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kib|kb|k|mib|mb|m|gib|gb|g)?");

    private Units() { }

    static Duration duration(String key, String value) {
        Duration d;
        try {
            d = Durations.parse(value);
        } catch (ArithmeticException e) {
            throw tooLarge(key, value);
        }
        if (d == null) {
            throw new ConfigException(key + ": '" + value + "' is not a duration (examples: 500ms, 10s, 5m, 1h)");
        }
        return d;
    }

    private static ConfigException tooLarge(String key, String value) {
        return new ConfigException(key + ": '" + value + "' is too large");
    }

    static long size(String key, String value) {
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ConfigException(key + ": '" + value + "' is not a size (examples: 65536, 64KiB, 1MiB)");
        }
        String unit = m.group(2) == null ? "b" : m.group(2);
        long factor = switch (unit) {
            case "b" -> 1;
            case "kib", "kb", "k" -> 1024;
            case "mib", "mb", "m" -> 1024 * 1024;
            default -> 1024L * 1024 * 1024;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), factor);
        } catch (NumberFormatException | ArithmeticException e) {
            throw tooLarge(key, value);
        }
    }

    static boolean bool(String key, String value) {
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new ConfigException(key + ": '" + value + "' is not true or false");
        };
    }

    /** A duration that must be greater than zero (timeouts, intervals, TTLs). */
    static Duration positiveDuration(String key, String value) {
        Duration d = duration(key, value);
        if (d.isZero() || d.isNegative()) {
            throw new ConfigException(key + ": must be greater than zero");
        }
        return d;
    }

    /** A file or directory path; one the OS cannot name (a NUL character…) is a configuration error, not a crash. */
    static java.nio.file.Path path(String key, String value) {
        try {
            return java.nio.file.Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException(key + ": not a valid path (" + e.getReason() + ")");
        }
    }

    /** A comma-separated list: items trimmed, empty ones dropped. */
    static java.util.List<String> list(String value) {
        return java.util.Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    static int integer(String key, String value, int min, int max) {
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": '" + value + "' is not a whole number");
        }
        if (n < min || n > max) {
            throw new ConfigException(key + ": " + n + " is out of range " + min + "-" + max);
        }
        return n;
    }
}
