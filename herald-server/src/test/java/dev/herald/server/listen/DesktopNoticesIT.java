package dev.herald.server.listen;

import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code herald listen --desktop} from the packaged jar, on a real (virtual) Linux desktop: Notify calls reach
 * org.freedesktop.Notifications over D-Bus with Herald's name, the message's title and body and a real 128×128 PNG
 * icon path; a burst collapses into one notice; with the daemon gone it says so in one line and goes on printing.
 */
class DesktopNoticesIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private TestServer server;
    private DesktopSession desktop;
    private Process listen;

    @AfterEach
    void stop() throws IOException {
        if (listen != null) {
            listen.destroy();
        }
        if (desktop != null) {
            desktop.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static long saidUnavailable(Path err) throws IOException {
        return Files.readString(err).lines().filter(l -> l.contains("desktop notifications are not shown")).count();
    }

    @Test
    void notices_reach_the_desktop_bursts_collapse_and_a_missing_daemon_is_said_once() throws Exception {
        desktop = new DesktopSession();
        server = TestServer.devMode();
        Path cache = desktop.dir().resolve("cache");
        Path out = desktop.dir().resolve("listen.out");
        Path err = desktop.dir().resolve("listen.err");
        String jar = System.getProperty("herald.jar");
        assertThat(jar).as("herald.jar system property (set by failsafe)").isNotNull();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar,
                "listen", "--url", "http://127.0.0.1:" + server.port(), "--uid", "ana", "--desktop", "--urgency", "critical",
                "--desktop-timeout", "0", "--burst-window", "400")
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("DBUS_SESSION_BUS_ADDRESS", desktop.busAddress());
        pb.environment().put("XDG_CACHE_HOME", cache.toString());
        listen = pb.start();
        await().atMost(WAIT).until(() -> Files.readString(err).contains("connected to"));

        server.publishToUser("ana", "{\"notification\":{\"title\":\"Build finished\",\"text\":\"herald#42 is green\"}}");

        await().atMost(WAIT).until(() -> desktop.notifyCalls().size() == 1);
        List<String> notify = desktop.notifyCalls().get(0);
        assertThat(notify.get(0)).isEqualTo("Herald");                 // app_name
        assertThat(notify.get(3)).isEqualTo("Build finished");         // summary
        assertThat(notify.get(4)).isEqualTo("herald#42 is green");     // body
        Path icon = Path.of(notify.get(2));                            // app_icon
        assertThat(icon).isEqualTo(cache.resolve("herald").resolve("herald-128.png"));
        BufferedImage png = ImageIO.read(icon.toFile());
        assertThat(png).as("a PNG at " + icon).isNotNull();
        assertThat(png.getWidth()).isEqualTo(128);
        assertThat(png.getHeight()).isEqualTo(128);
        assertThat(desktop.monitorOutput()).contains("string \"urgency\"", "byte 2");

        for (int i = 1; i <= 5; i++) {
            server.publishToUser("ana", "\"burst " + i + "\"");
        }
        await().atMost(WAIT).until(() -> Files.readString(out).contains("burst 5"));
        await().atMost(WAIT).until(() -> desktop.notifyCalls().size() == 2);
        assertThat(desktop.notifyCalls().get(1).get(3)).isEqualTo("5 new messages");
        assertThat(desktop.notifyCalls().get(1).get(4)).isEqualTo("Latest: Herald — burst 5");

        desktop.stopDaemon();
        server.publishToUser("ana", "\"nobody shows this one\"");
        await().atMost(WAIT).until(() -> Files.readString(err).contains("desktop notifications are not shown"));
        server.publishToUser("ana", "\"still printed\"");
        await().atMost(WAIT).until(() -> Files.readString(out).contains("still printed"));
        // through the second notice's burst window and beyond, the line is not repeated
        await().during(Duration.ofMillis(1000)).atMost(WAIT).until(() -> saidUnavailable(err) == 1);
        List<String> said = Files.readString(err).lines().filter(l -> l.contains("desktop notifications are not shown")).toList();
        assertThat(said).hasSize(1);
        assertThat(said.get(0)).contains("Fix: start a notification daemon in your desktop session", "DBUS_SESSION_BUS_ADDRESS");
        assertThat(desktop.notifyCalls()).hasSize(4); // each notice is still tried (the daemon may come back); the line is said once
        assertThat(listen.isAlive()).isTrue();
    }
}
