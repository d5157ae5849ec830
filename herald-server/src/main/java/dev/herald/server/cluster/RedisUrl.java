package dev.herald.server.cluster;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * A Redis URL as {@code broker} takes it: {@code redis://[user[:password]@]host[:port][/db]} (or {@code rediss://}
 * for TLS). The password is a secret: {@link #redact} is the only form that may be logged or printed.
 */
public final class RedisUrl {
    public static final int DEFAULT_PORT = 6379;

    private RedisUrl() { }

    /** Checks {@code url}; throws {@link IllegalArgumentException} with a message that never contains the password. */
    public static URI parse(String url) {
        if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
            throw new IllegalArgumentException("'" + redact(url) + "' is neither memory nor a redis://host:port URL");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + redact(url) + "' is not a valid URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("'" + redact(url) + "' names no host (redis://host:port)");
        }
        String path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/") && !path.substring(1).matches("\\d{1,2}")) {
            throw new IllegalArgumentException("'" + redact(url) + "': the path is the database number (redis://host:port/0)");
        }
        return uri;
    }

    /** {@code url} with the password (or a lone user-info, which Redis reads as the password) replaced by {@code ***}. */
    public static String redact(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return url;
        }
        int at = url.lastIndexOf('@');
        int slash = url.indexOf('/', scheme + 3);
        if (at < 0 || slash >= 0 && slash < at) {
            return url;
        }
        String userInfo = url.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        String shown = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
        return url.substring(0, scheme + 3) + shown + url.substring(at);
    }
}
