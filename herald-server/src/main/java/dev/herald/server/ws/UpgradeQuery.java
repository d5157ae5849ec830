package dev.herald.server.ws;

import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The query parameters of {@code GET /ws} Herald reads ({@code token}, {@code uid}, {@code since},
 * {@code sinceAll}), decoded without throwing past the caller: Vert.x's {@code getParam} throws on a malformed percent escape
 * ({@code ?token=%ZZ}), which became a 500 and a stack trace. A malformed escape in any parameter is the
 * client's mistake: {@link #parse} answers it with {@code 400 invalid_request}. The first value of a repeated
 * parameter wins, as with {@code getParam}; {@code +} decodes to a space.
 */
record UpgradeQuery(String token, String uid, String since, String sinceAll) {
    static final UpgradeQuery NONE = new UpgradeQuery(null, null, null, null);

    /** Decodes a raw query string (null: none). Throws {@code invalid_request} when a name or value is not valid percent-encoding. */
    static UpgradeQuery parse(String rawQuery) throws HeraldException {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return NONE;
        }
        String token = null;
        String uid = null;
        String since = null;
        String sinceAll = null;
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
                default -> { } // other parameters are not Herald's; they are checked for encoding all the same
            }
        }
        return new UpgradeQuery(token, uid, since, sinceAll);
    }

    private static String decode(String s) throws HeraldException {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ErrorCode.INVALID_REQUEST.exception(
                    "the query string of /ws is not valid percent-encoding (each % must start a %XX escape)");
        }
    }
}
