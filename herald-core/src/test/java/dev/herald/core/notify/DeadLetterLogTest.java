package dev.herald.core.notify;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.herald.core.testing.FakeNotifier.Behaviour;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Dead letters and contacts disabled by a 410 reach the log at WARN, with ids and the channel, never a destination. */
class DeadLetterLogTest extends DispatcherFixture {
    private static final String TOKEN = "robot-token-6f1c2a";
    private final Logger logger = (Logger) LoggerFactory.getLogger(JobRunner.class);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void capture() {
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logs);
    }

    private List<ILoggingEvent> warnings(String containing) {
        return logs.list.stream().filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains(containing)).toList();
    }

    @Test
    void a_dead_letter_is_logged_at_warn_with_its_ids_channel_and_reason() {
        webhook.behave(Behaviour.permanent("HTTP 400 bad payload"));
        started(webhook);

        NotifyJob job = enqueue(job("webhook", "https://user:" + TOKEN + "@hooks.example/h/" + TOKEN + "?key=" + TOKEN));
        awaitState(job, JobState.DEAD);

        await().atMost(5, TimeUnit.SECONDS).until(() -> !warnings("dead letter:").isEmpty());
        String line = warnings("dead letter:").getFirst().getFormattedMessage();
        assertThat(line).contains(job.id()).contains(job.messageId()).contains("webhook").contains("1 attempt")
                .contains("HTTP 400 bad payload").doesNotContain(TOKEN).doesNotContain("hooks.example");
    }

    @Test
    void a_gone_contact_is_logged_as_disabled_with_the_user_and_channel_and_no_address() {
        putContact("u1", "webhook", "https://hooks.example/h/" + TOKEN + "?key=" + TOKEN);
        webhook.behave(Behaviour.gone());
        started(webhook);

        NotifyJob job = enqueue(jobFor("webhook", "u1"));
        awaitState(job, JobState.DEAD);

        await().atMost(5, TimeUnit.SECONDS).until(() -> !warnings("contact disabled").isEmpty());
        String line = warnings("contact disabled").getFirst().getFormattedMessage();
        assertThat(line).contains("webhook").contains("u1").contains("410").contains(job.id()).contains(job.messageId());
        assertThat(warnings("dead letter:")).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains(job.id()).contains("to user u1");
        assertThat(logs.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(TOKEN).doesNotContain("hooks.example"));
    }

    @Test
    void a_detail_that_quotes_a_url_keeps_only_its_scheme_and_host() {
        assertThat(JobRunner.logSafe("connect to https://bob:pw@robot.example/send?access_token=" + TOKEN + " failed"))
                .isEqualTo("connect to https://robot.example/… failed");
        assertThat(JobRunner.logSafe(null)).isEqualTo("(no detail)");
        assertThat(JobRunner.logSafe("HTTP 410 Gone")).isEqualTo("HTTP 410 Gone");
    }
}
