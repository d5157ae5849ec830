package dev.herald.core.session;

/**
 * Every WebSocket close code Herald sends, with whether a client should reconnect. Codes 4000–4999
 * are Herald's own; the few standard ones (1001, 1002, 1003, 1007, 1009) keep their RFC 6455 meaning.
 * Documented in {@code docs/protocol.md}; the numbers never change meaning.
 */
public enum CloseReason {
    /** Server is shutting down or restarting: reconnect (to another node) with backoff. */
    GOING_AWAY(1001, "server shutting down", true),
    /**
     * The client broke the WebSocket framing rules (RFC 6455): reserved bits or opcodes, a fragmented
     * or oversized control frame, a continuation of nothing, an invalid close frame. Fix the client.
     */
    WEBSOCKET_PROTOCOL_ERROR(1002, "WebSocket protocol error", false),
    /** The client sent a binary frame; Herald speaks text. Do not reconnect without fixing the client. */
    UNSUPPORTED_DATA(1003, "binary frames are not supported", false),
    /** A text message (or a close frame's reason) that is not valid UTF-8. Fix the client. */
    INVALID_PAYLOAD(1007, "invalid UTF-8", false),
    /** A frame or message exceeded the configured limit. Do not resend the same frame. */
    MESSAGE_TOO_BIG(1009, "message too big", false),
    /** Token missing, invalid, expired, or signed with a key/algorithm Herald does not accept. Get a new token first. */
    UNAUTHORIZED(4001, "unauthorized", false),
    /** No authentication arrived within the auth timeout. Reconnect and authenticate at once. */
    AUTH_TIMEOUT(4002, "authentication timeout", true),
    /** The seed {"uid"} login is refused because authentication is configured. Use a token. */
    FORBIDDEN(4003, "forbidden", false),
    /** An operator disconnected this user (DELETE /api/v1/users/{uid}/connections). Do not reconnect automatically. */
    KICKED(4004, "disconnected by the server", false),
    /** The client broke the protocol (malformed first frame, too many bad frames). Fix the client. */
    PROTOCOL_ERROR(4006, "protocol error", false),
    /** The client did not read fast enough and its bounded send queue filled. Reconnect (and resume). */
    SLOW_CONSUMER(4008, "slow consumer", true),
    /** No frame and no pong arrived within the idle timeout: the peer is presumed dead. Reconnect. */
    HEARTBEAT_TIMEOUT(4010, "heartbeat timeout", true),
    /** The user already holds the maximum number of connections. Close another one first. */
    TOO_MANY_CONNECTIONS(4009, "too many connections for this user", false),
    /**
     * The client flooded the server with WebSocket ping frames (more than 100 in 10 seconds, see
     * docs/protocol.md). Reconnect after a backoff, and ping less often.
     */
    TOO_MANY_PINGS(4029, "too many pings", true),
    /** Unexpected server-side failure on this connection. Reconnect with backoff. */
    SERVER_ERROR(4500, "internal server error", true);

    private final int code;
    private final String reason;
    private final boolean reconnect;

    CloseReason(int code, String reason, boolean reconnect) {
        this.code = code;
        this.reason = reason;
        this.reconnect = reconnect;
    }

    public int code() {
        return code;
    }

    /** Short human-readable reason sent in the close frame (well under the 123-byte limit). */
    public String reason() {
        return reason;
    }

    /** Whether a well-behaved client reconnects after this close. */
    public boolean reconnect() {
        return reconnect;
    }
}
