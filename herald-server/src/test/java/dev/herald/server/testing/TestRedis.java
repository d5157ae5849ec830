package dev.herald.server.testing;

import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;

/**
 * The Redis server the cluster tests use: the one {@code HERALD_TEST_REDIS_URL} (or {@code -Dherald.test.redis})
 * names, such as {@code redis://127.0.0.1:6379}, or else an embedded Redis started once per test JVM from the binary
 * that {@code com.github.codemonstur:embedded-redis} ships. Either way the tests run against a real server and never
 * skip; {@code ./mvnw verify} needs no service set up by hand. Tests that take Redis away put a {@link ToxicProxy} in
 * front of it, so they work the same with a shared server.
 */
public final class TestRedis {
    /** Environment variable naming a Redis server for the tests instead of the embedded one. */
    public static final String URL_VARIABLE = "HERALD_TEST_REDIS_URL";

    private TestRedis() {
    }

    /** {@code redis://host:port} of the server to test against. */
    public static URI server() {
        String configured = System.getProperty("herald.test.redis", System.getenv(URL_VARIABLE));
        if (configured != null && !configured.isBlank()) {
            return URI.create(configured.strip());
        }
        return Embedded.URI;
    }

    /** Started on first use (class initialisation is lazy and thread-safe), stopped when the JVM exits. */
    private static final class Embedded {
        static final URI URI = start();

        private static URI start() {
            try {
                int port;
                try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    port = probe.getLocalPort();
                }
                RedisServer redis = new RedisServer(port);
                redis.start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        redis.stop();
                    } catch (IOException ignored) {
                        // the JVM is exiting
                    }
                }, "embedded-redis-stop"));
                return java.net.URI.create("redis://127.0.0.1:" + port);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded Redis for the cluster tests (set "
                        + URL_VARIABLE + " to use a running server instead)", e);
            }
        }
    }
}
