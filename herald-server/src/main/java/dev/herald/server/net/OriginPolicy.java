package dev.herald.server.net;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether a browser Origin may open a WebSocket (defends against cross-site WebSocket
 * hijacking). Requests without an Origin header are not from browsers and are let through: they
 * must still authenticate.
 *
 * <ul>
 *   <li>the server's own origin (the Origin's host:port equals the request's {@code Host}): always, so the
 *       demo page Herald serves at {@code /} works whatever the list holds;</li>
 *   <li>allow-list contains {@code *}: any origin;</li>
 *   <li>allow-list non-empty: exactly those origins (scheme://host[:port], case-insensitive);</li>
 *   <li>allow-list empty, dev mode: any origin (loopback only, for local development);</li>
 *   <li>allow-list empty, auth configured: only the server's own origin.</li>
 * </ul>
 */
public final class OriginPolicy {
    private final List<String> allowed;
    private final boolean devMode;

    public OriginPolicy(List<String> allowed, boolean devMode) {
        this.allowed = allowed.stream().map(OriginPolicy::normalize).toList();
        this.devMode = devMode;
    }

    public boolean allows(String origin, String hostHeader) {
        if (origin == null) {
            return true;
        }
        String o = normalize(origin);
        if (allowed.contains("*") || allowed.contains(o) || sameOrigin(o, hostHeader)) {
            return true;
        }
        return allowed.isEmpty() && devMode;
    }

    /** Whether the Origin names the host:port the request was sent to (its {@code Host} header). */
    private static boolean sameOrigin(String origin, String hostHeader) {
        if (hostHeader == null) {
            return false;
        }
        try {
            URI uri = URI.create(origin);
            String authority = uri.getRawAuthority();
            return authority != null && authority.equalsIgnoreCase(hostHeader.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String normalize(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
