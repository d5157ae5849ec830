package dev.herald.bench;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What the server under test stores with: a {@code store} URL ({@code {data}} stands for the server's data
 * directory) plus whether publishes ask for durability ({@code "persist": false} is the non-durable baseline:
 * the store is not touched).
 *
 * <p>For PostgreSQL every server start gets a fresh, empty schema ({@code ?currentSchema=}; the store's
 * migrations create it), dropped again with {@code psql} when the server has stopped, so runs neither
 * see each other's rows nor leave tables in the shared {@code test} database.
 */
public record Target(String name, String storeUrl, boolean persist, String pgSchema, URI postgres) {

    /**
     * @param postgresBase {@code postgresql://user@host:port/db}, optionally with driver parameters ({@code ?reWriteBatchedInserts=true})
     */
    public static Target of(String name, String postgresBase, String pgSchema) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "sqlite" -> new Target("sqlite", "sqlite", true, null, null);
            case "postgresql", "postgres", "pg" -> new Target("postgresql", postgresBase + (postgresBase.contains("?") ? "&" : "?")
                    + "currentSchema=" + pgSchema, true, pgSchema, URI.create(postgresBase));
            // not durable on power loss (commits do not wait for fsync): shows what fsync costs, for diagnosis only
            case "sqlite-normal" -> new Target("sqlite-normal", "sqlite:{data}/herald.db?synchronous=normal", true, null, null);
            case "memory" -> new Target("memory", "memory", true, null, null);
            case "nondurable", "persist-false" -> new Target("nondurable", "memory", false, null, null);
            default -> throw new IllegalArgumentException("target '" + name + "': sqlite, postgresql, memory, nondurable or sqlite-normal");
        };
    }

    /** The {@code --store} value for a server whose data directory is {@code dataDir}. */
    public String storeUrl(java.nio.file.Path dataDir) {
        return storeUrl.replace("{data}", dataDir.toString());
    }

    /** The label in tables: what was stored, and how. */
    public String describe() {
        return persist ? name + " (durable)" : "persist:false (non-durable)";
    }

    /** Drops the run's PostgreSQL schema, if this target has one; {@code psql} must be on the PATH. */
    public void dropSchema() throws IOException, InterruptedException {
        if (pgSchema == null) {
            return;
        }
        String user = postgres.getUserInfo() == null ? "postgres" : postgres.getUserInfo().split(":", 2)[0];
        int port = postgres.getPort() < 0 ? 5432 : postgres.getPort();
        Process p = new ProcessBuilder(List.of("psql", "-X", "-q", "-h", postgres.getHost(), "-p", Integer.toString(port), "-U", user,
                "-d", postgres.getRawPath().substring(1), "-v", "ON_ERROR_STOP=1",
                "-c", "DROP SCHEMA IF EXISTS \"" + pgSchema + "\" CASCADE"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("psql could not drop schema " + pgSchema);
        }
    }
}
