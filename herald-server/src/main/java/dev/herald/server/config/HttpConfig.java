package dev.herald.server.config;

import java.time.Duration;
import java.util.Map;

/**
 * How long an HTTP connection may take and how many one client address may hold ({@code http.*}), validated by
 * {@link #from}. Enforced by {@link dev.herald.server.net.HttpConnectionGuard}.
 *
 * @param headerTimeout           a request's line and headers must arrive within this, from accept (first request)
 *                                or from the request's first byte (later requests on a keep-alive connection)
 * @param idleTimeout             a keep-alive connection silent this long between requests is closed
 * @param upgradeTimeout          a request asking for an Upgrade must be answered within this
 * @param maxConnectionsPerAddress TCP connections one client IP address may hold
 */
public record HttpConfig(Duration headerTimeout, Duration idleTimeout, Duration upgradeTimeout, int maxConnectionsPerAddress) {
    /** Long enough for a slow mobile network to send a few hundred bytes; short enough that silent sockets go soon. */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    /** Longer than the 60 s idle timeout of common load balancers, so that the balancer, not Herald, closes first. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(65);
    public static final Duration DEFAULT_UPGRADE_TIMEOUT = Duration.ofSeconds(10);
    /** High enough for a carrier-grade NAT or an office behind one address. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 2000;
    /** Below this a timeout would cut off healthy clients on a slow network. */
    public static final Duration MIN_TIMEOUT = Duration.ofMillis(100);

    public static HttpConfig defaults() {
        return new HttpConfig(DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_UPGRADE_TIMEOUT, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS);
    }

    static HttpConfig from(Map<Setting, String> raw) {
        java.util.function.Function<Setting, String> v = s -> raw.get(s).trim();
        return new HttpConfig(timeout(Setting.HTTP_HEADER_TIMEOUT, v), timeout(Setting.HTTP_IDLE_TIMEOUT, v),
                timeout(Setting.HTTP_UPGRADE_TIMEOUT, v),
                Units.integer(Setting.HTTP_MAX_CONNECTIONS_PER_ADDRESS.key(), v.apply(Setting.HTTP_MAX_CONNECTIONS_PER_ADDRESS), 1, 10_000_000));
    }

    private static Duration timeout(Setting key, java.util.function.Function<Setting, String> v) {
        Duration d = Units.positiveDuration(key.key(), v.apply(key));
        if (d.compareTo(MIN_TIMEOUT) < 0) {
            throw new ConfigException(key.key() + ": must be at least " + MIN_TIMEOUT.toMillis() + "ms");
        }
        return d;
    }
}
