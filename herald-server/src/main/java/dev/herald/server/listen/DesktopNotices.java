package dev.herald.server.listen;

import dev.herald.client.ReceivedMessage;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code herald listen --desktop}: one native notice per message, except that messages arriving within the burst
 * window of each other are collapsed into one "N new messages" notice (a reconnect's replay, a flood) instead of a
 * stack of popups. Never silent: when no notification service can show a notice it says so once, in one line with the
 * platform's fix, on stderr, and says it again only after a notice got through in between. Messages keep being
 * printed either way. Thread-safe; notices are shown on a thread of its own, so a slow daemon never holds up
 * the messages.
 */
public final class DesktopNotices implements AutoCloseable {
    public static final Duration DEFAULT_BURST_WINDOW = Duration.ofSeconds(1);

    private final DesktopNotifier notifier;
    private final DesktopNotifier.Urgency urgency;
    private final int timeoutMillis;
    private final Duration burstWindow;
    private final PrintWriter err;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "herald-listen-desktop");
        t.setDaemon(true);
        return t;
    });
    private final List<NoticeText> pending = new ArrayList<>();
    private boolean unavailableSaid;

    public DesktopNotices(DesktopNotifier notifier, DesktopNotifier.Urgency urgency, int timeoutMillis, Duration burstWindow, PrintWriter err) {
        this.notifier = notifier;
        this.urgency = urgency;
        this.timeoutMillis = timeoutMillis;
        this.burstWindow = burstWindow;
        this.err = err;
    }

    /** The notifier for the platform this JVM runs on. */
    public static DesktopNotifier forThisPlatform(java.util.Map<String, String> env, java.nio.file.Path icon) {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        if (os.contains("mac")) {
            return new OsascriptDesktopNotifier();
        }
        if (os.contains("win")) {
            return new PowerShellDesktopNotifier(icon);
        }
        return new DbusDesktopNotifier(env.get("DBUS_SESSION_BUS_ADDRESS"), icon);
    }

    /** Queues a notice for the message; the first of a burst opens the window, its end shows what gathered. */
    public void show(ReceivedMessage m) {
        NoticeText text = NoticeText.of(m);
        synchronized (pending) {
            pending.add(text);
            if (pending.size() > 1) {
                return;
            }
        }
        thread.schedule(this::flush, burstWindow.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void flush() {
        List<NoticeText> burst;
        synchronized (pending) {
            burst = List.copyOf(pending);
            pending.clear();
        }
        NoticeText last = burst.get(burst.size() - 1);
        NoticeText notice = burst.size() == 1 ? last
                : new NoticeText(burst.size() + " new messages", "Latest: " + last.title() + (last.body().isEmpty() ? "" : " — " + last.body()));
        try {
            notifier.show(notice.title(), notice.body(), urgency, timeoutMillis);
            unavailableSaid = false;
        } catch (DesktopNotifier.DesktopUnavailableException e) {
            if (!unavailableSaid) {
                unavailableSaid = true;
                synchronized (err) {
                    err.println("herald listen: desktop notifications are not shown: " + e.getMessage() + ". Fix: " + notifier.fix()
                            + ". Messages are still printed here.");
                    err.flush();
                }
            }
        }
    }

    /** Shows what is still gathered, then stops. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        notifier.close();
    }
}
