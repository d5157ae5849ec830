package dev.herald.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.herald.server.config.Setting;
import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code serve} logs when it starts: a short banner at INFO, the full configuration at DEBUG only. */
class StartupBannerTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(HeraldServer.class);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private Level levelBefore;
    private TestServer server;

    @BeforeEach
    void capture() {
        levelBefore = logger.getLevel();
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void restore() {
        if (server != null) {
            server.close();
        }
        logger.detachAppender(logs);
        logger.setLevel(levelBefore);
    }

    private List<ILoggingEvent> startLines() {
        return logs.list.stream().filter(e -> !e.getFormattedMessage().startsWith("shutting down")).toList();
    }

    private String text(List<ILoggingEvent> events) {
        return String.join("\n", events.stream().map(ILoggingEvent::getFormattedMessage).toList());
    }

    @Test
    void start_prints_a_short_banner_with_version_url_mode_store_data_dir_node_and_where_the_rest_is() {
        logger.setLevel(Level.INFO);
        server = TestServer.withAuth(Map.of(Setting.STORE, "memory"));

        List<ILoggingEvent> info = startLines().stream().filter(e -> e.getLevel() == Level.INFO).toList();
        String banner = text(info);
        assertThat(info).hasSizeLessThanOrEqualTo(5);
        assertThat(banner).contains("Herald " + HeraldServer.VERSION)
                .contains("listening on http://127.0.0.1:" + server.port())
                .contains("mode: auth")
                .contains("node: test-node")
                .contains("store: memory")
                .contains("data dir: " + server.server().config().dataDir())
                .contains("herald config")
                .doesNotContain("ws.heartbeat").doesNotContain(" = ");
        assertThat(text(startLines())).as("no DEV MODE warning with auth").doesNotContain("DEV MODE");
    }

    @Test
    void dev_mode_stays_loud() {
        logger.setLevel(Level.INFO);
        server = TestServer.devMode(Map.of(Setting.STORE, "memory"));

        assertThat(text(startLines())).contains("mode: dev").contains("DEV MODE");
        assertThat(startLines()).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("DEV MODE");
        });
    }

    @Test
    void debug_adds_the_full_configuration_with_secrets_masked() {
        logger.setLevel(Level.DEBUG);
        server = TestServer.withAuth(Map.of(Setting.STORE, "memory"));

        String all = text(startLines());
        for (Setting s : Setting.values()) {
            assertThat(all).contains("  " + s.key() + " = ");
        }
        assertThat(all).contains("auth.jwt-secret = ******** (set)")
                .doesNotContain(TestServer.JWT_SECRET).doesNotContain(TestServer.API_KEY);
    }

    @Test
    void shutdown_logs_its_grace_as_a_human_duration_not_iso_8601() {
        server = TestServer.devMode(Map.of(Setting.STORE, "memory", Setting.SHUTDOWN_GRACE, "5s"));

        server.close();
        server = null;

        assertThat(text(logs.list)).contains("(grace 5s)").doesNotContain("PT5S");
    }
}
