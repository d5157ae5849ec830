package dev.herald.server.listen;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code herald listen --exec}: runs a command per message with the message's JSON line on stdin, never through a
 * shell. Bounded: at most {@code concurrency} commands at once ({@link #run} waits for a free slot, so a flood of
 * messages slows the listener down instead of forking without end), each killed after {@code timeout}. The
 * command's stdout and stderr go to {@code herald listen}'s own (inherited). Thread-safe.
 */
public final class ExecHandler implements AutoCloseable {
    private final List<String> argv;
    private final Duration timeout;
    private final Semaphore slots;
    private final ExecutorService waiters;
    private final PrintWriter err;

    public ExecHandler(String command, Duration timeout, int concurrency, PrintWriter err) {
        if (concurrency < 1 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("--exec-concurrency must be at least 1 and --exec-timeout positive");
        }
        this.argv = Argv.split(command);
        this.timeout = timeout;
        this.slots = new Semaphore(concurrency);
        this.waiters = Executors.newVirtualThreadPerTaskExecutor();
        this.err = err;
    }

    /** Starts the command for one message once a slot is free; returns when it started (or could not). */
    public void run(String messageId, String jsonLine) throws InterruptedException {
        slots.acquire();
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).directory(Path.of("").toAbsolutePath().toFile()).start();
        } catch (IOException e) {
            slots.release();
            report("herald listen: --exec " + argv.get(0) + " could not start for message " + messageId + ": " + e.getMessage());
            return;
        }
        waiters.execute(() -> finish(process, messageId, jsonLine));
    }

    private void finish(Process process, String messageId, String jsonLine) {
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write((jsonLine + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the command does not read its stdin: fine
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                report("herald listen: --exec " + argv.get(0) + " for message " + messageId + " killed after " + timeout.toMillis() + " ms (--exec-timeout)");
            } else if (process.exitValue() != 0) {
                report("herald listen: --exec " + argv.get(0) + " for message " + messageId + " exited with " + process.exitValue());
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            slots.release();
        }
    }

    private void report(String line) {
        synchronized (err) {
            err.println(line);
            err.flush();
        }
    }

    /** Waits for the commands still running (each is bounded by the timeout). */
    @Override
    public void close() {
        waiters.close();
    }
}
