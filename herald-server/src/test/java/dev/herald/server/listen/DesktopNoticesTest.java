package dev.herald.server.listen;

import dev.herald.client.TestMessages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Notice text, burst collapsing and the one "not shown" line, against a hand-written notifier with a failure switch. */
class DesktopNoticesTest {
    /** Records what it shows; while {@code down}, refuses like a bus without a notification daemon. */
    static final class FakeNotifier implements DesktopNotifier {
        final List<String> shown = new CopyOnWriteArrayList<>();
        volatile boolean down;

        @Override
        public void show(String title, String body, Urgency urgency, int timeoutMillis) throws DesktopUnavailableException {
            if (down) {
                throw new DesktopUnavailableException("nobody owns org.freedesktop.Notifications", null);
            }
            shown.add(title + " | " + body);
        }

        @Override
        public String fix() {
            return "start a notification daemon";
        }
    }

    private final FakeNotifier notifier = new FakeNotifier();
    private final StringWriter err = new StringWriter();
    private final DesktopNotices notices = new DesktopNotices(notifier, DesktopNotifier.Urgency.NORMAL, -1, Duration.ofMillis(100), new PrintWriter(err));

    @AfterEach
    void close() {
        notices.close();
    }

    private long saidUnavailable() {
        return err.toString().lines().filter(l -> l.contains("desktop notifications are not shown")).count();
    }

    @Test
    void a_notice_takes_the_notification_object_or_else_the_text_data() {
        notices.show(TestMessages.received("01", null, "{\"notification\":{\"title\":\"Build finished\",\"body\":\"green\"},\"x\":1}"));
        await().until(() -> notifier.shown.size() == 1);
        notices.show(TestMessages.received("02", "ci", "\"line one\\nline two\""));
        await().until(() -> notifier.shown.size() == 2);
        notices.show(TestMessages.received("03", null, "{\"progress\":50}"));
        await().until(() -> notifier.shown.size() == 3);

        assertThat(notifier.shown).containsExactly("Build finished | green", "Herald · ci | line one\nline two", "Herald | {\"progress\":50}");
    }

    @Test
    void messages_within_the_burst_window_make_one_notice() {
        for (int i = 1; i <= 7; i++) {
            notices.show(TestMessages.received("0" + i, null, "\"m" + i + "\""));
        }
        await().until(() -> !notifier.shown.isEmpty());
        await().during(Duration.ofMillis(300)).until(() -> notifier.shown.size() == 1);
        assertThat(notifier.shown).containsExactly("7 new messages | Latest: Herald — m7");
    }

    @Test
    void an_unreachable_service_is_said_once_with_the_fix_and_again_only_after_it_worked_in_between() {
        notifier.down = true;
        notices.show(TestMessages.received("01", null, "\"a\""));
        await().until(() -> saidUnavailable() == 1);
        notices.show(TestMessages.received("02", null, "\"b\""));
        await().during(Duration.ofMillis(300)).until(() -> saidUnavailable() == 1);
        assertThat(err.toString()).contains("nobody owns org.freedesktop.Notifications. Fix: start a notification daemon. Messages are still printed here.");

        notifier.down = false;
        notices.show(TestMessages.received("03", null, "\"c\""));
        await().until(() -> notifier.shown.size() == 1);
        notifier.down = true;
        notices.show(TestMessages.received("04", null, "\"d\""));
        await().until(() -> saidUnavailable() == 2);
    }
}
