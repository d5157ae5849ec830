package dev.herald.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Records the log events of one logger (and its children), or of the whole process, at {@code level} and above
 * while open, with a Logback {@link ListAppender}; closing detaches it and restores the logger's level.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final Level previous;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(String name, Level level) {
        this.logger = (Logger) LoggerFactory.getLogger(name);
        this.previous = logger.getLevel();
        if (level != null) {
            logger.setLevel(level);
        }
        appender.start();
        logger.addAppender(appender);
    }

    public static LogCapture of(Class<?> type, Level level) {
        return new LogCapture(type.getName(), level);
    }

    /** Everything logged anywhere (the root logger) at the levels already configured. */
    public static LogCapture start() {
        return new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME, null);
    }

    /** Everything logged anywhere (the root logger) at {@code level} and above. */
    public static LogCapture root(Level level) {
        return new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME, level);
    }

    /** A snapshot of the events so far. */
    public List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    public List<ILoggingEvent> events(Level level) {
        return events().stream().filter(e -> e.getLevel().equals(level)).toList();
    }

    /** The formatted messages of the events so far. */
    public List<String> messages() {
        return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** ERROR lines, and WARN lines with a stack trace: what client input must never cause. */
    public List<String> errorsOrTraces() {
        return events().stream()
                .filter(e -> e.getLevel() == Level.ERROR || (e.getLevel() == Level.WARN && e.getThrowableProxy() != null))
                .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : " / " + e.getThrowableProxy().getClassName()))
                .toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(previous);
    }
}
