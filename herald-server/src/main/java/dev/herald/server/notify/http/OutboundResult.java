package dev.herald.server.notify.http;

import java.util.Map;

/** How one outbound request went: an answer (any status) or no usable answer. */
public sealed interface OutboundResult {

    /**
     * The endpoint answered.
     *
     * @param status    the HTTP status
     * @param headers   response headers, names lower-cased, first value of each
     * @param body      the body as UTF-8 text, at most the client's cap
     * @param truncated whether the body was longer than the cap (the rest was not read)
     */
    record Response(int status, Map<String, String> headers, String body, boolean truncated) implements OutboundResult {
        public Response {
            headers = Map.copyOf(headers);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    /**
     * No usable answer.
     *
     * @param reason why, see {@link Reason}
     * @param detail a short description, never holding the URL's path or query
     */
    record Failure(Reason reason, String detail) implements OutboundResult { }

    enum Reason {
        /** The target (literal or resolved) is refused by the {@link AddressPolicy}. Permanent. */
        ADDRESS_NOT_ALLOWED,
        /** The URL or a header cannot be sent as it is (a destination that skipped validation). Permanent. */
        BAD_REQUEST,
        /** The host name does not resolve. Retried: DNS failures are often passing. */
        UNRESOLVED,
        /** No connection: refused, unreachable, TLS handshake failure, connect timeout. */
        CONNECT_FAILED,
        /** The whole exchange took longer than the total timeout (a silent or trickling endpoint). */
        TIMEOUT,
        /** The connection broke after it was made (reset, closed mid-answer). */
        IO_ERROR
    }
}
