package dev.herald.server.sse;

import dev.herald.core.auth.Authenticator;
import dev.herald.core.auth.Principal;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.message.UserIds;
import dev.herald.server.net.ConnectQuery;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Who an end user's HTTP request ({@code GET /api/v1/events}, {@code POST /api/v1/users/{uid}/acks}) comes from, by
 * the rules of {@code /ws}: a token in {@code Authorization: Bearer <token>} or {@code ?token=}, or (dev mode only)
 * {@code ?uid=}. A refusal is a catalogued error: {@code 401 unauthorized} for a missing or refused token,
 * {@code 403 forbidden} for a uid login while authentication is configured. Thread-safe.
 */
final class ClientCredentials {
    private final Authenticator authenticator;

    ClientCredentials(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    boolean devMode() {
        return authenticator.devMode();
    }

    /**
     * The principal the request presents; {@code uidFallback} is the uid a dev-mode request without {@code ?uid=} stands
     * for (the path's, for acks), or null. With authentication configured only a token logs in.
     */
    Principal principal(HttpServerRequest request, ConnectQuery query, String uidFallback) throws HeraldException {
        String token = bearer(request.getHeader(HttpHeaders.AUTHORIZATION));
        if (token == null) {
            token = query.token();
        }
        try {
            if (token != null && !token.isEmpty()) {
                return authenticator.authenticate(token);
            }
            String uid = query.uid() != null ? query.uid() : authenticator.devMode() ? uidFallback : null;
            if (uid == null) {
                throw ErrorCode.UNAUTHORIZED.exception(authenticator.devMode()
                        ? "missing token: Authorization: Bearer <token>, ?token=<token>, or in dev mode ?uid=<user id>"
                        : "missing token: Authorization: Bearer <token> or ?token=<token>");
            }
            if (!authenticator.devMode()) {
                throw ErrorCode.FORBIDDEN.exception("a uid login is refused while authentication is configured: use a token");
            }
            if (!UserIds.isValid(uid)) {
                throw ErrorCode.UNAUTHORIZED.exception("invalid uid (1-" + UserIds.MAX_LENGTH + " characters, no control characters)");
            }
            return authenticator.authenticateUid(uid);
        } catch (Authenticator.AuthenticationException e) {
            throw (e.forbidden() ? ErrorCode.FORBIDDEN : ErrorCode.UNAUTHORIZED).exception("token refused: " + e.getMessage());
        }
    }

    private static String bearer(String header) {
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    }
}
