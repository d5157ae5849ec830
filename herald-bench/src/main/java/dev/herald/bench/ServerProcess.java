package dev.herald.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged server ({@code herald.jar}) as a separate process, as operators run it, pinned to its
 * own CPU(s) with {@code taskset} so that it does not share a core with the load generator. Its output
 * goes to {@code server.log} in the run directory; the port is read from the start-up log line.
 */
public final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");

    private final Process process;
    private final Path log;
    private final List<String> command;
    private int port;

    private ServerProcess(Process process, Path log, List<String> command) {
        this.process = process;
        this.log = log;
        this.command = command;
    }

    /**
     * Starts {@code taskset -c <cpus> <java> <jvmOptions> -jar <jar> serve --port 0 --data-dir <dir>/data --store <url>}
     * and waits until it listens.
     *
     * @param cpus taskset CPU list, e.g. {@code 0}; empty: not pinned
     */
    public static ServerProcess start(Path java, Path jar, String cpus, List<String> jvmOptions, Path runDir, String storeUrl)
            throws IOException, InterruptedException {
        Files.createDirectories(runDir);
        List<String> command = new ArrayList<>();
        if (!cpus.isEmpty()) {
            command.addAll(List.of("taskset", "-c", cpus));
        }
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "serve", "--host", "127.0.0.1", "--port", "0",
                "--data-dir", runDir.resolve("data").toString(), "--store", storeUrl,
                // every generator connects from 127.0.0.1: the per-address cap (2000 by default) would refuse it
                "--http.max-connections-per-address", "1000000"));
        Path log = runDir.resolve("server.log");
        // taskset execs the JVM: the child's pid is the server's pid.
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServerProcess server = new ServerProcess(p, log, List.copyOf(command));
        server.port = server.awaitListening(60_000);
        return server;
    }

    private int awaitListening(long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            Matcher m = LISTENING.matcher(output());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!process.isAlive()) {
                throw new IOException("the server exited with " + process.exitValue() + " before listening:\n" + output());
            }
            Thread.sleep(50); // polling a log file for a line, not synchronising threads
        }
        close();
        throw new IOException("the server did not listen within " + timeoutMillis + " ms:\n" + output());
    }

    public String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public List<String> command() {
        return command;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM (graceful drain), then SIGKILL if it has not exited after 30 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
