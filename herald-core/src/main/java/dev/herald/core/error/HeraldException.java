package dev.herald.core.error;

/**
 * A catalogued failure of an API operation. Thrown by the core, rendered once by the HTTP adapter
 * as {@code {"error":{"code":…,"message":…}}} with {@link ErrorCode#httpStatus()}. The message is
 * written for the API caller: it names the problem and never carries secrets or stack traces.
 */
public final class HeraldException extends RuntimeException {
    private final ErrorCode code;

    public HeraldException(ErrorCode code, String message) {
        super(message, null, false, false); // no stack trace: these are expected outcomes, not bugs
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
