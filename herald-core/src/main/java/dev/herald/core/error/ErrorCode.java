package dev.herald.core.error;

/**
 * The one catalog of HTTP API errors. Codes are stable: clients switch on them, so a code is
 * never renamed or reused; new situations get new codes. Every code is documented in
 * {@code docs/errors.md} (a test keeps the two in step).
 */
public enum ErrorCode {
    UID_REQUIRED("uid_required", 400, "The uid parameter is required."),
    MESSAGE_REQUIRED("message_required", 400, "The message parameter is required."),
    INVALID_JSON("invalid_json", 400, "The request body is not valid JSON."),
    INVALID_REQUEST("invalid_request", 400, "The request is well-formed JSON but not a valid request."),
    INVALID_CURSOR("invalid_cursor", 400, "The since cursor is neither a message id (26 characters of Crockford base 32) nor a position (<pos>@<epoch>)."),
    BATCH_TOO_LARGE("batch_too_large", 400, "A batch holds too many messages."),
    UNAUTHORIZED("unauthorized", 401, "A valid API key is required: Authorization: Bearer <key>."),
    FORBIDDEN("forbidden", 403, "The credentials are valid but do not allow this: another user's resource, a topic the token does not grant, or a uid login while authentication is configured."),
    ORIGIN_NOT_ALLOWED("origin_not_allowed", 403, "The Origin of this WebSocket upgrade is not in the allow-list."),
    USER_OFFLINE("user_offline", 404, "The user has no connection."),
    NOT_FOUND("not_found", 404, "No such resource."),
    MESSAGE_NOT_FOUND("message_not_found", 404, "No message with this id (never published, or purged after its retention)."),
    CONTACTS_NOT_FOUND("contacts_not_found", 404, "The user has no contacts."),
    DEAD_LETTER_NOT_FOUND("dead_letter_not_found", 404, "No dead letter with this id (never dead, retried, or deleted)."),
    METHOD_NOT_ALLOWED("method_not_allowed", 405, "The resource does not support this method."),
    PAYLOAD_TOO_LARGE("payload_too_large", 413, "The request body is larger than the configured limit."),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415, "The request body must be application/json."),
    IDEMPOTENCY_KEY_REUSED("idempotency_key_reused", 422,
            "This Idempotency-Key was used before for a different request; nothing was published. Use a new key."),
    UPGRADE_REQUIRED("upgrade_required", 426, "This endpoint only accepts WebSocket upgrades (GET with Upgrade: websocket)."),
    INTERNAL_ERROR("internal_error", 500, "Something went wrong inside Herald; the log has details."),
    STORE_UNAVAILABLE("store_unavailable", 503, "The message store cannot commit right now; nothing was stored. Retry later."),
    SHUTTING_DOWN("shutting_down", 503, "The server is shutting down; retry on another node or later."),
    TOO_MANY_CONNECTIONS("too_many_connections", 503, "This node holds as many connections as it may (ws.max-connections); retry on another node or later."),
    TOO_MANY_USER_CONNECTIONS("too_many_user_connections", 429, "The user already holds as many connections as it may (ws.max-connections-per-user); close another one first."),
    BAD_REQUEST("bad_request", 400, "The request is not valid HTTP/1.1 (request line, header syntax, conflicting Content-Length)."),
    REQUEST_TIMEOUT("request_timeout", 408, "The request line and headers did not arrive within http.header-timeout."),
    URI_TOO_LONG("uri_too_long", 414, "The request line (method, path and query) is longer than the server reads."),
    HEADERS_TOO_LARGE("headers_too_large", 431, "The request headers are larger than the server reads."),
    TOO_MANY_CONNECTIONS_FROM_ADDRESS("too_many_connections_from_address", 429,
            "This client address holds as many connections as it may (http.max-connections-per-address); close some or retry later.");

    private final String code;
    private final int httpStatus;
    private final String defaultMessage;

    ErrorCode(String code, int httpStatus, String defaultMessage) {
        this.code = code;
        this.httpStatus = httpStatus;
        this.defaultMessage = defaultMessage;
    }

    /** The stable wire code, e.g. {@code user_offline}. */
    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String defaultMessage() {
        return defaultMessage;
    }

    /**
     * Whether the same request may succeed if sent again later (with backoff): true for the 5xx codes, which
     * say something about the server's state, false for the 4xx ones, which say the request must change.
     */
    public boolean retryable() {
        return httpStatus >= 500;
    }

    public HeraldException exception() {
        return new HeraldException(this, defaultMessage);
    }

    public HeraldException exception(String message) {
        return new HeraldException(this, message);
    }
}
