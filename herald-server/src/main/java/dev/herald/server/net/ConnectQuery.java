package dev.herald.server.net;

import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The query parameters a client connection ({@code GET /ws}, {@code GET /api/v1/events}) may carry: {@code token},
 * {@code uid}, {@code since}, {@code sinceAll}, and for SSE {@code topics} (comma-separated) and
 * {@code lastEventId} (the query form of the {@code Last-Event-ID} header). Decoded without throwing past the
 * caller: Vert.x's {@code getParam} throws on a malformed percent escape ({@code ?token=%ZZ}), which became a 500
 * and a stack trace. A malformed escape in any parameter is the client's mistake: {@link #parse} answers it with
 * {@code 400 invalid_request}. The first value of a repeated parameter wins, as with {@code getParam}; {@code +}
 * decodes to a space.
 */
public record ConnectQuery(String token, String uid, String since, String sinceAll, String topics, String lastEventId) {
    public static final ConnectQuery NONE = new ConnectQuery(null, null, null, null, null, null);

    /** Decodes a raw query string (null: none). Throws {@code invalid_request} when a name or value is not valid percent-encoding. */
    public static ConnectQuery parse(String rawQuery) throws HeraldException {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return NONE;
        }
        String token = null;
        String uid = null;
        String since = null;
        String sinceAll = null;
        String topics = null;
        String lastEventId = null;
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            switch (name) {
                case "token" -> token = token == null ? value : token;
                case "uid" -> uid = uid == null ? value : uid;
                case "since" -> since = since == null ? value : since;
                case "sinceAll" -> sinceAll = sinceAll == null ? value : sinceAll;
                case "topics" -> topics = topics == null ? value : topics;
                case "lastEventId" -> lastEventId = lastEventId == null ? value : lastEventId;
                default -> { } // other parameters are not Herald's; they are checked for encoding all the same
            }
        }
        return new ConnectQuery(token, uid, since, sinceAll, topics, lastEventId);
    }

    private static String decode(String s) throws HeraldException {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ErrorCode.INVALID_REQUEST.exception(
                    "the query string is not valid percent-encoding (each % must start a %XX escape)");
        }
    }
}
