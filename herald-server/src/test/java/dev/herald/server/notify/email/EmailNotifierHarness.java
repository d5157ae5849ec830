package dev.herald.server.notify.email;

import dev.herald.core.notify.Notification;
import dev.herald.core.notify.SendResult;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.herald.server.notify.email.SmtpTestSupport.await;
import static dev.herald.server.notify.email.SmtpTestSupport.to;

/**
 * The frame of the tests that send through a real {@link EmailNotifier} to a local server: one Vert.x per test
 * class, and every notifier (or server) a test opened closed after it.
 */
abstract class EmailNotifierHarness {
    static Vertx vertx;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void closeResources() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    /** Closes {@code resource} after the test. */
    <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    /** One attempt of {@code notification} to ops@example.com through a new notifier with {@code settings}. */
    SendResult send(SmtpSettings settings, Notification notification) throws Exception {
        EmailNotifier email = track(new EmailNotifier(vertx, settings));
        return await(email.send(notification, to("ops@example.com")));
    }
}
