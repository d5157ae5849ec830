package dev.herald.server.ws;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether a browser Origin may open a WebSocket (defends against cross-site WebSocket
 * hijacking). Requests without an Origin header are not from browsers and are let through: they
 * must still authenticate.
 *
 * <ul>
 *   <li>allow-list contains {@code *}: any origin;</li>
 *   <li>allow-list non-empty: exactly those origins (scheme://host[:port], case-insensitive);</li>
 *   <li>allow-list empty, dev mode: any origin (loopback only, for local development);</li>
 *   <li>allow-list empty, auth configured: only the server's own host (same origin).</li>
 * </ul>
 */
final class OriginPolicy {
    private final List<String> allowed;
    private final boolean devMode;

    OriginPolicy(List<String> allowed, boolean devMode) {
        this.allowed = allowed.stream().map(OriginPolicy::normalize).toList();
        this.devMode = devMode;
    }

    boolean allows(String origin, String hostHeader) {
        if (origin == null) {
            return true;
        }
        String o = normalize(origin);
        if (allowed.contains("*") || allowed.contains(o)) {
            return true;
        }
        if (!allowed.isEmpty()) {
            return false;
        }
        if (devMode) {
            return true;
        }
        try {
            URI uri = URI.create(o);
            String authority = uri.getRawAuthority();
            return authority != null && hostHeader != null && authority.equalsIgnoreCase(hostHeader);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String normalize(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
