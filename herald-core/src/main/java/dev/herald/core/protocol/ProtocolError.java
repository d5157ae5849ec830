package dev.herald.core.protocol;

/**
 * Codes of {@code {"type":"error"}} frames: the connection stays open, the frame was ignored.
 * Documented in {@code docs/protocol.md}; stable like the HTTP catalog.
 */
public enum ProtocolError {
    INVALID_JSON("invalid_json"),
    INVALID_FRAME("invalid_frame"),
    UNKNOWN_TYPE("unknown_type"),
    ALREADY_AUTHENTICATED("already_authenticated"),
    INVALID_TOPIC("invalid_topic"),
    FORBIDDEN_TOPIC("forbidden_topic"),
    TOO_MANY_TOPICS("too_many_topics"),
    INVALID_CURSOR("invalid_cursor");

    private final String code;

    ProtocolError(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** Thrown by the parser and handlers; becomes one error frame. */
    public static final class Failure extends Exception {
        private final ProtocolError error;

        public Failure(ProtocolError error, String message) {
            super(message, null, false, false);
            this.error = error;
        }

        public ProtocolError error() {
            return error;
        }
    }
}
