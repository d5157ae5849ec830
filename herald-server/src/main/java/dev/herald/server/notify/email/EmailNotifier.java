package dev.herald.server.notify.email;

import dev.herald.core.error.ErrorCode;
import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notification;
import dev.herald.core.notify.Notifier;
import dev.herald.core.notify.SendResult;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code email} channel: one mail per delivery through one SMTP server ({@link SmtpSettings}), with the Vert.x
 * mail client, so an attempt is a few non-blocking writes on an event loop and connections are pooled.
 *
 * <p>Security: TLS per {@link SmtpTls} (STARTTLS required by default), certificates and host names verified unless
 * the settings say otherwise, AUTH only with PLAIN or LOGIN, and only when credentials are set (then it is required:
 * a server that offers no AUTH fails the attempt instead of receiving the mail unauthenticated). The password never
 * reaches a log line or a {@link SendResult#detail()}.
 *
 * <p>Outcomes ({@link SmtpFailures}): {@code 250} → OK; 4xx, refused or silent server, TLS failure → RETRY; 5xx →
 * PERMANENT; authentication refused or a TLS/AUTH mismatch → PERMANENT with an ERROR log, once until a mail goes
 * through again. Every attempt ends within {@link SmtpSettings#sendTimeout()}.
 *
 * <p>Thread-safe; {@link #send} never blocks. {@link #close()} when the server stops.
 */
public final class EmailNotifier implements Notifier, AutoCloseable {
    public static final String CHANNEL = "email";
    private static final Logger log = LoggerFactory.getLogger(EmailNotifier.class);

    private final Vertx vertx;
    private final SmtpSettings settings;
    private final MailClient client;
    private final EmailMessages messages;
    private final SmtpFailures failures;
    /** Set while a configuration error has been logged and no mail has gone through since: one ERROR, not one per mail. */
    private final AtomicBoolean configurationErrorLogged = new AtomicBoolean();

    public EmailNotifier(Vertx vertx, SmtpSettings settings) {
        this.vertx = vertx;
        this.settings = settings;
        this.client = MailClient.create(vertx, mailConfig(settings));
        this.messages = new EmailMessages(settings);
        this.failures = new SmtpFailures(settings);
        if (settings.trustAllCertificatesInsecure()) {
            log.warn("e-mail channel: email.tls-trust-all-insecure is set: the certificate of {} is NOT verified, so the SMTP "
                    + "password and every mail can be read by anyone on the path. Use it for tests only.", settings.server());
        }
        if (settings.tls() == SmtpTls.NONE && settings.authenticates()) {
            log.warn("e-mail channel: email.tls is none but AUTH is configured: the SMTP password crosses the network in clear");
        }
    }

    @Override
    public String channel() {
        return CHANNEL;
    }

    /** An e-mail contact is the address itself: {@code "email":"ann@example.com"}. */
    @Override
    public String addressField() {
        return null;
    }

    @Override
    public Destination validate(Destination destination, String path) {
        try {
            return new Destination(CHANNEL, EmailAddresses.normalise(destination.address()), null);
        } catch (IllegalArgumentException e) {
            throw ErrorCode.INVALID_REQUEST.exception(path + " must be one e-mail address (local@domain): it " + e.getMessage());
        }
    }

    @Override
    public CompletableFuture<SendResult> send(Notification notification, Destination destination) {
        MailMessage message;
        try {
            message = messages.build(notification, EmailAddresses.normalise(destination.address()));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(SendResult.permanent("not an e-mail address: it " + e.getMessage(), 0));
        }
        CompletableFuture<SendResult> result = new CompletableFuture<>();
        long timer = vertx.setTimer(settings.sendTimeout().toMillis(), id -> result.complete(failures.timedOut()));
        client.sendMail(message).onComplete(ar -> {
            vertx.cancelTimer(timer);
            SendResult outcome = ar.succeeded() ? accepted() : failed(ar.cause());
            if (!result.complete(outcome) && outcome.outcome() == SendResult.Outcome.OK) {
                log.warn("e-mail delivery {} was accepted by {} after the attempt had timed out: a retry may deliver it twice "
                        + "(with the same Message-ID)", notification.deliveryId(), settings.server());
            }
        });
        return result;
    }

    /** One breaker per SMTP server: a dead mail server trips it, a bad recipient does not. */
    @Override
    public String endpointKey(Destination destination) {
        return CHANNEL + " " + settings.server();
    }

    public SmtpSettings settings() {
        return settings;
    }

    /** Closes pooled connections (with QUIT). Does not block. */
    @Override
    public void close() {
        client.close();
    }

    private SendResult accepted() {
        if (configurationErrorLogged.compareAndSet(true, false)) {
            log.info("e-mail channel: {} accepts mail again", settings.server());
        }
        return SendResult.ok(250);
    }

    private SendResult failed(Throwable cause) {
        SmtpFailures.Failure failure = failures.classify(cause);
        if (failure.configurationError() && configurationErrorLogged.compareAndSet(false, true)) {
            // The detail is built without the password; the user name is fine to show.
            log.error("e-mail channel: {} (server {}, {}). Such failures are not retried: fix the configuration or the server.",
                    failure.result().detail(), settings.server(),
                    settings.authenticates() ? "user " + settings.username() : "no AUTH configured");
        }
        return failure.result();
    }

    static MailConfig mailConfig(SmtpSettings settings) {
        MailConfig config = new MailConfig()
                .setHostname(settings.host())
                .setPort(settings.port())
                .setSsl(settings.tls() == SmtpTls.IMPLICIT)
                .setStarttls(switch (settings.tls()) {
                    case STARTTLS -> StartTLSOptions.REQUIRED;
                    case STARTTLS_OPTIONAL -> StartTLSOptions.OPTIONAL;
                    case IMPLICIT, NONE -> StartTLSOptions.DISABLED;
                })
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
                // A server that stops talking mid-dialogue: the client has no reply timeout of its own, so the idle
                // timeout closes the socket and frees the pooled connection by the time the attempt has timed out.
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, settings.sendTimeout().toMillis()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                // ...and an idle pooled connection is closed politely (QUIT) before that idle timeout would cut it.
                .setKeepAliveTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, settings.sendTimeout().toMillis() / 2)))
                .setKeepAliveTimeoutUnit(TimeUnit.MILLISECONDS)
                .setSslHandshakeTimeout(settings.connectTimeout().toMillis())
                .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxPoolSize(settings.poolSize())
                .setUserAgent("herald")
                .setAuthMethods("PLAIN LOGIN");
        if (settings.authenticates()) {
            config.setLogin(LoginOption.REQUIRED).setUsername(settings.username()).setPassword(settings.password());
        } else {
            config.setLogin(LoginOption.DISABLED);
        }
        if (settings.trustAllCertificatesInsecure()) {
            config.setTrustAll(true);
        } else if (settings.trustedCertificatesPem() != null) {
            config.setTrustOptions(new PemTrustOptions().addCertPath(settings.trustedCertificatesPem()));
        }
        return config;
    }
}
