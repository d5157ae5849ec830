package dev.herald.client;

/**
 * Herald answered with an error from its catalog ({@code docs/errors.md}): switch on {@link #code()}
 * (e.g. {@code user_offline}, {@code unauthorized}); {@link #status()} is the HTTP status, or 0 when
 * the server could not be reached.
 */
public final class HeraldApiException extends RuntimeException {
    private final int status;
    private final String code;

    public HeraldApiException(int status, String code, String message) {
        this(status, code, message, null);
    }

    public HeraldApiException(int status, String code, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Whether retrying the same request later may succeed (server shutting down, unreachable, 5xx). */
    public boolean retryable() {
        return status == 0 || status >= 500;
    }
}
