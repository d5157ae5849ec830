package dev.herald.server.notify.email;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notification;
import dev.herald.core.notify.SendResult;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Shared pieces of the e-mail channel tests: a GreenMail server, settings, a notification, a log capture. */
final class SmtpTestSupport {
    static final String FROM = "alerts@herald.test";
    static final String SMTP_USER = "herald";
    static final String SMTP_PASSWORD = "s3cret-Pa55word";

    private SmtpTestSupport() {
    }

    /** GreenMail on a free loopback port, {@code protocol} "smtp" or "smtps", with one AUTH user. */
    static GreenMail greenMail(String protocol) {
        GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", protocol).dynamicPort())
                .withConfiguration(GreenMailConfiguration.aConfig().withUser(FROM, SMTP_USER, SMTP_PASSWORD));
        greenMail.start();
        return greenMail;
    }

    /** Settings for a plain local test server: short timeouts so failures show quickly. */
    static SmtpSettings plain(int port) {
        return SmtpSettings.defaults("127.0.0.1", FROM)
                .withServer("127.0.0.1", port, SmtpTls.NONE)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    static Notification notification(String deliveryId, String title, String text, String html) {
        return new Notification(deliveryId, "01JMSG0000000000000000000A", "u1", System.currentTimeMillis(),
                title, text, html, null, "{}");
    }

    static Destination to(String address) {
        return new Destination(EmailNotifier.CHANNEL, address, null);
    }

    static SendResult await(CompletableFuture<SendResult> result) throws Exception {
        return result.get(20, TimeUnit.SECONDS);
    }

    /** A loopback port nothing listens on (bound, then released). */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Captures every log event of the JVM (root logger) while open. */
    static final class LogCapture implements AutoCloseable {
        private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

        LogCapture() {
            appender.start();
            root.addAppender(appender);
        }

        List<ILoggingEvent> events() {
            return List.copyOf(appender.list);
        }

        /** Each event as the text that would be written: message, arguments and exception messages. */
        List<String> lines() {
            return events().stream().map(e -> {
                StringBuilder line = new StringBuilder(e.getLevel() + " " + e.getFormattedMessage());
                for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                    line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
                }
                return line.toString();
            }).toList();
        }

        @Override
        public void close() {
            root.detachAppender(appender);
        }
    }
}
