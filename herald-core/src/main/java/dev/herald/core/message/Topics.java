package dev.herald.core.message;

import java.util.regex.Pattern;

/** Topic names: 1–128 characters of {@code A-Z a-z 0-9 _ - . : / @}. Safe in URLs, JSON and logs unescaped. */
public final class Topics {
    public static final int MAX_LENGTH = 128;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_\\-.:/@]{1," + MAX_LENGTH + "}");

    private Topics() { }

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }
}
