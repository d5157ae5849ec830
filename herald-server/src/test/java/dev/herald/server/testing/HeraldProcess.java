package dev.herald.server.testing;

import org.awaitility.Awaitility;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged {@code herald.jar} in a child process, as operators run it: its output is collected,
 * and it can be stopped with SIGTERM or killed with SIGKILL. Failsafe sets {@code herald.jar}.
 */
public final class HeraldProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private final List<String> output = new ArrayList<>();
    private final Process process;

    private HeraldProcess(Process process) {
        this.process = process;
    }

    public static HeraldProcess start(String... args) throws IOException {
        return start(List.of(), args);
    }

    /**
     * Under a file-descriptor limit of {@code nofile} (soft and hard), set by prlimit(1) for the child
     * only: how a test reaches the limit with a few hundred connections instead of 20,000.
     */
    public static HeraldProcess startWithFileLimit(int nofile, String... args) throws IOException {
        return start(List.of("prlimit", "--nofile=" + nofile + ":" + nofile), args);
    }

    private static HeraldProcess start(List<String> prefix, String... args) throws IOException {
        String jar = System.getProperty("herald.jar");
        assertThat(jar).as("herald.jar system property (set by failsafe)").isNotNull();
        assertThat(Path.of(jar)).exists();
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
        command.addAll(List.of(args));
        HeraldProcess p = new HeraldProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
        Thread reader = new Thread(p::collectOutput, "herald-process-output");
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    private void collectOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /**
     * CPU time the process has used, user plus system, from {@code /proc/<pid>/stat} (prlimit execs the
     * JVM, so the pid is the JVM's), in clock ticks of 10 ms.
     */
    public long cpuTicks() throws IOException {
        String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // fields from the 3rd (state) on
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime (14th) + stime (15th)
    }

    public Process process() {
        return process;
    }

    public String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    /** Waits for the "listening on" log line and returns the port. */
    public int awaitPort() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).alias("herald process listening").until(() -> LISTENING.matcher(output()).find());
        Matcher m = LISTENING.matcher(output());
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** Sends a signal with kill(1): Process.destroy() would also close our end of the child's stdout. */
    public void signal(String signal) throws IOException, InterruptedException {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor()).isZero();
    }

    /** SIGKILL, and waits until the process is gone: no shutdown hook, no flush, as in a crash. */
    public void crash() throws IOException, InterruptedException {
        signal("KILL");
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("killed process exited").isTrue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
