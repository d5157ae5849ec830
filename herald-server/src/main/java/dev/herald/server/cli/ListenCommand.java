package dev.herald.server.cli;

import dev.herald.client.HeraldSubscriber;
import dev.herald.client.ReceivedMessage;
import dev.herald.client.SubscriberGap;
import dev.herald.client.SubscriberListener;
import dev.herald.client.SubscriberState;
import dev.herald.server.listen.DesktopNotices;
import dev.herald.server.listen.DesktopNotifier;
import dev.herald.server.listen.ExecHandler;
import dev.herald.server.listen.HeraldIcon;
import dev.herald.server.listen.MessageLines;
import dev.herald.server.listen.PositionsFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code herald listen}: subscribes as one user through {@link HeraldSubscriber} and prints each message (a readable
 * line, or JSON lines with {@code --json}), runs a command per message ({@code --exec}), or shows it as a desktop
 * notification ({@code --desktop}). Messages go to stdout; connection news to stderr. Runs until interrupted, until
 * {@code --max-messages}, or until the server ends the connection with a code after which reconnecting cannot help
 * (exit 1).
 */
@Command(name = "listen", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Receives a user's messages from a Herald server and prints them, one per line.", "",
                "Reconnects by itself, resumes where it stopped without losing or repeating messages, and acks each "
                        + "message once it was printed (and, with --exec, its command started). Messages go to stdout, "
                        + "connection news to stderr. See docs/listen.md."})
public final class ListenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8181",
            description = "The server (http(s)://host:port or ws(s)://host:port/ws). Default: ${DEFAULT-VALUE}.")
    URI url;

    @Option(names = "--token", paramLabel = "JWT", description = "Log in with this token (default: env HERALD_TOKEN).")
    String token;

    @Option(names = "--uid", paramLabel = "UID", description = "Dev mode only: log in as this user id.")
    String uid;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Follow a topic too (repeatable).")
    List<String> topics = List.of();

    @Option(names = "--json", description = "One JSON object per line: {\"id\",\"ts\",\"topic\"?,\"all\"?,\"pos\"?,\"epoch\"?,\"data\"}.")
    boolean json;

    @Option(names = "--exec", paramLabel = "CMD",
            description = "Run CMD for each message with its JSON line on stdin. CMD is split into words like a shell would, but no shell runs it.")
    String exec;

    @Option(names = "--exec-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Kill a command still running after this long. Default: ${DEFAULT-VALUE}.")
    long execTimeoutSeconds;

    @Option(names = "--exec-concurrency", paramLabel = "N", defaultValue = "4",
            description = "At most N commands at once; more messages wait. Default: ${DEFAULT-VALUE}.")
    int execConcurrency;

    @Option(names = "--desktop", description = "Show a native desktop notification per message (bursts collapse into one).")
    boolean desktop;

    @Option(names = "--urgency", paramLabel = "LEVEL", defaultValue = "normal",
            description = "Desktop notices' urgency: low, normal or critical (Linux). Default: ${DEFAULT-VALUE}.")
    String urgency;

    @Option(names = "--desktop-timeout", paramLabel = "MS", defaultValue = "-1",
            description = "How long a notice stays (Linux): -1 the desktop's default, 0 until dismissed. Default: ${DEFAULT-VALUE}.")
    int desktopTimeoutMillis;

    @Option(names = "--burst-window", paramLabel = "MS", defaultValue = "1000",
            description = "Messages this close together make one \"N new messages\" notice. Default: ${DEFAULT-VALUE}.")
    long burstWindowMillis;

    @Option(names = "--state", paramLabel = "FILE",
            description = "Keep the resume positions in FILE, so the next run resumes each stream (topics and broadcasts too) where this one stopped. One file per user and server.")
    java.nio.file.Path stateFile;

    @Option(names = "--max-messages", paramLabel = "N", description = "Exit 0 after N messages (for scripts and tests).")
    Integer maxMessages;

    /** The environment HERALD_TOKEN is read from: the process's, or a test's. */
    private final java.util.Map<String, String> env;

    ListenCommand(java.util.Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String jwt = token != null ? token : env.get("HERALD_TOKEN");
        if ((jwt == null) == (uid == null)) {
            err.println("herald listen: give --token (or env HERALD_TOKEN) or, against a dev-mode server, --uid");
            err.flush();
            return HeraldCommand.EXIT_CONFIG;
        }
        HeraldSubscriber.Builder builder;
        ExecHandler execHandler;
        DesktopNotices notices;
        try {
            builder = HeraldSubscriber.builder(url);
            DesktopNotifier.Urgency level = java.util.Arrays.stream(DesktopNotifier.Urgency.values())
                    .filter(u -> u.name().equalsIgnoreCase(urgency)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--urgency is low, normal or critical, not " + urgency));
            if (burstWindowMillis < 0) {
                throw new IllegalArgumentException("--burst-window must be 0 or more");
            }
            execHandler = exec == null ? null : new ExecHandler(exec, Duration.ofSeconds(execTimeoutSeconds), execConcurrency, err);
            notices = !desktop ? null : new DesktopNotices(DesktopNotices.forThisPlatform(env, HeraldIcon.install(env)), level,
                    desktopTimeoutMillis, Duration.ofMillis(burstWindowMillis), err);
        } catch (IllegalArgumentException e) {
            err.println("herald listen: " + e.getMessage());
            err.flush();
            return HeraldCommand.EXIT_CONFIG;
        }
        PositionsFile positionsFile = null;
        if (stateFile != null) {
            positionsFile = new PositionsFile(stateFile);
            try {
                builder.resumeFrom(positionsFile.load());
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                err.println("herald listen: " + e.getMessage());
                err.flush();
                return HeraldCommand.EXIT_CONFIG;
            }
        }
        if (jwt != null) {
            builder.token(jwt);
        } else {
            builder.uid(uid);
        }
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Integer> exit = new AtomicReference<>(HeraldCommand.EXIT_OK);
        Printer printer = new Printer(out, err, execHandler, notices, done, exit);
        HeraldSubscriber subscriber = builder.topics(topics.toArray(String[]::new)).listener(printer).build();
        printer.saveTo(subscriber, positionsFile);
        PositionsFile saveOnExit = positionsFile;
        Thread onSignal = new Thread(() -> {
            Map<String, String> last = subscriber.positions();
            subscriber.close();
            if (saveOnExit != null) {
                saveOnExit.save(last);
            }
        }, "herald-listen-shutdown");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            subscriber.start();
            done.await();
        } finally {
            Map<String, String> last = subscriber.positions();
            subscriber.close(); // sends the acks still batched
            if (positionsFile != null) {
                positionsFile.save(last);
            }
            if (execHandler != null) {
                execHandler.close();
            }
            if (notices != null) {
                notices.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
        return exit.get();
    }

    /** Prints messages to stdout and connection news to stderr, on the subscriber's listener thread. */
    private final class Printer implements SubscriberListener {
        private final PrintWriter out;
        private final PrintWriter err;
        private final ExecHandler execHandler;
        private final DesktopNotices notices;
        private final CountDownLatch done;
        private final AtomicReference<Integer> exit;
        private final AtomicInteger received = new AtomicInteger();
        private HeraldSubscriber subscriber;
        private PositionsFile positionsFile;

        void saveTo(HeraldSubscriber subscriber, PositionsFile positionsFile) {
            this.subscriber = subscriber;
            this.positionsFile = positionsFile;
        }

        Printer(PrintWriter out, PrintWriter err, ExecHandler execHandler, DesktopNotices notices, CountDownLatch done,
                AtomicReference<Integer> exit) {
            this.out = out;
            this.err = err;
            this.execHandler = execHandler;
            this.notices = notices;
            this.done = done;
            this.exit = exit;
        }

        @Override
        public void onMessage(ReceivedMessage m) {
            if (done.getCount() == 0) {
                return; // past --max-messages: left unacked for the next run
            }
            String line = MessageLines.json(m);
            out.println(json ? line : MessageLines.readable(m));
            out.flush();
            if (notices != null) {
                notices.show(m);
            }
            if (execHandler != null) {
                try {
                    execHandler.run(m.id(), line);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (positionsFile != null) {
                positionsFile.save(subscriber.positions()); // this message's stream now resumes after it
            }
            if (maxMessages != null && received.incrementAndGet() >= maxMessages) {
                done.countDown();
            }
        }

        @Override
        public void onGap(SubscriberGap gap) {
            note("messages were lost before they could be delivered (" + (gap.topic() != null ? "topic " + gap.topic()
                    : gap.all() ? "broadcasts" : "inbox") + ", after " + gap.since() + ")");
        }

        @Override
        public void onState(SubscriberState s) {
            switch (s.state()) {
                case OPEN -> note("connected to " + url + " as " + s.user() + (topics.isEmpty() ? "" : ", following " + String.join(", ", topics)));
                case RECONNECTING -> note("connection lost (" + s.code() + (s.reason().isEmpty() ? "" : " " + s.reason())
                        + "); reconnecting in " + s.retryIn().toMillis() + " ms");
                case CLOSED -> {
                    if (s.code() != 1000) {
                        note("stopped: the server closed the connection with " + s.code() + " " + s.reason()
                                + " (docs/protocol.md, close codes: reconnecting would not help)");
                        exit.set(HeraldCommand.EXIT_FAILURE);
                    }
                    done.countDown();
                }
                case CONNECTING -> { }
            }
        }

        @Override
        public void onError(String code, String message) {
            note(code + ": " + message);
        }

        private void note(String line) {
            synchronized (err) {
                err.println("herald listen: " + line);
                err.flush();
            }
        }
    }
}
