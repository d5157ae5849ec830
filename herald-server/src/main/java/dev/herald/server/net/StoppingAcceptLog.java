package dev.herald.server.net;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * While a server stops, turns Netty's warning about a connection accepted in the last moment into one line.
 * Vert.x closes the HTTP servers that share the port one by one and the listening socket with the last: a
 * connection accepted in between has no event loop left to go to, and Netty logs "Failed to register an accepted
 * channel" at WARN with a 17-line stack trace, though nothing is wrong (the connection is closed, the client
 * retries elsewhere). Only that one message of {@code io.netty.bootstrap.ServerBootstrap}, and only between
 * {@link #install} and {@link #close}: at any other time the warning may mean something and stays as it is.
 *
 * <p>Logback only (Herald's logging backend); with another backend this does nothing.
 */
public final class StoppingAcceptLog extends TurboFilter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StoppingAcceptLog.class);
    static final String NETTY_LOGGER = "io.netty.bootstrap.ServerBootstrap";
    static final String NETTY_MESSAGE = "Failed to register an accepted channel";

    private final LoggerContext context;

    private StoppingAcceptLog(LoggerContext context) {
        this.context = context;
    }

    /** Starts shortening the warning; {@link #close} stops it. */
    public static StoppingAcceptLog install() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return new StoppingAcceptLog(null);
        }
        StoppingAcceptLog filter = new StoppingAcceptLog(context);
        filter.setName("herald-stopping-accepts");
        filter.start();
        context.addTurboFilter(filter);
        return filter;
    }

    @Override
    public FilterReply decide(Marker marker, ch.qos.logback.classic.Logger logger, Level level, String format,
                              Object[] params, Throwable t) {
        if (format == null || level != Level.WARN || !NETTY_LOGGER.equals(logger.getName()) || !format.startsWith(NETTY_MESSAGE)) {
            return FilterReply.NEUTRAL;
        }
        Object channel = params != null && params.length > 0 ? params[0] : "?";
        log.info("a connection arrived while the server was stopping and was closed ({})", channel);
        return FilterReply.DENY;
    }

    @Override
    public void close() {
        if (context != null) {
            context.getTurboFilterList().remove(this);
            stop();
        }
    }
}
