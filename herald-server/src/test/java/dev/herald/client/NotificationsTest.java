package dev.herald.client;

import dev.herald.server.HeraldServer;
import dev.herald.server.config.ConfigSources;
import dev.herald.server.config.Setting;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SDK's notification-channel API against a real Herald server whose webhook and Slack deliveries go to
 * a real local receiver (loopback allowed, fast retries as in the server's own end-to-end test).
 */
class NotificationsTest {
    private static final String API_KEY = "client-test-api-key-0123";
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final LocalReceiver receiver = new LocalReceiver();
    private final HeraldServer server = start();
    private final HeraldClient herald = HeraldClient.builder(URI.create("http://127.0.0.1:" + server.port())).apiKey(API_KEY).build();

    private static HeraldServer start() {
        Map<Setting, String> settings = new EnumMap<>(Setting.class);
        try {
            settings.put(Setting.DATA_DIR, Files.createTempDirectory("herald-client-notify").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        settings.put(Setting.PORT, "0");
        settings.put(Setting.AUTH_JWT_SECRET, "client-test-secret-at-least-32-bytes!!");
        settings.put(Setting.AUTH_API_KEYS, API_KEY);
        settings.put(Setting.NOTIFY_ALLOW_LOOPBACK, "true");
        settings.put(Setting.NOTIFY_RETRY_INITIAL, "50ms");
        settings.put(Setting.NOTIFY_RETRY_MAX, "100ms");
        settings.put(Setting.NOTIFY_POLL_INTERVAL, "50ms");
        return new HeraldServer(new ConfigSources().flags(settings).build()).start();
    }

    @AfterEach
    void stop() {
        server.shutdown(Duration.ofSeconds(5));
        receiver.close();
    }

    @Test
    void channels_lists_ws_and_the_enabled_channels() {
        assertThat(herald.channels()).contains("ws", "webhook", "slack").doesNotContain("email");
    }

    @Test
    void contacts_round_trip_without_secrets_or_tokens() {
        Contacts contacts = Contacts.none()
                .webhook(receiver.url("/crm?token=tok-in-query"), SECRET)
                .robot("slack", receiver.url("/services/T0/B0/slack-token"), null);

        UserContacts written = herald.putContacts("u 1", contacts);
        UserContacts read = herald.contacts("u 1");

        for (UserContacts c : List.of(written, read)) {
            assertThat(c.user()).isEqualTo("u 1");
            assertThat(c.updatedAt()).isPositive();
            assertThat(c.contacts()).containsOnlyKeys("webhook", "slack");
            assertThat(c.contact("webhook").address()).isEqualTo(receiver.url("/…"));
            assertThat(c.contact("webhook").secret()).isTrue();
            assertThat(c.contact("webhook").enabled()).isTrue();
            assertThat(c.contact("slack").secret()).isFalse();
            assertThat(c.toString()).doesNotContain(SECRET, "tok-in-query", "slack-token");
        }
        assertThat(contacts.toString()).doesNotContain(SECRET, "tok-in-query", "slack-token");

        herald.deleteContacts("u 1");
        assertThatThrownBy(() -> herald.contacts("u 1")).isInstanceOfSatisfying(HeraldApiException.class, e -> {
            assertThat(e.code()).isEqualTo("contacts_not_found");
            assertThat(e.status()).isEqualTo(404);
        });
        assertThatThrownBy(() -> herald.deleteContacts("u 1"))
                .isInstanceOfSatisfying(HeraldApiException.class, e -> assertThat(e.code()).isEqualTo("contacts_not_found"));
    }

    @Test
    void bad_contacts_are_refused_with_the_servers_code_and_field() {
        assertThatThrownBy(() -> herald.putContacts("u1", Contacts.none().webhook("ftp://example.com/x", null)))
                .isInstanceOfSatisfying(HeraldApiException.class, e -> {
                    assertThat(e.code()).isEqualTo("invalid_request");
                    assertThat(e.getMessage()).contains("webhook.url");
                });
        assertThatThrownBy(() -> herald.putContacts("u1", Contacts.none().email("ann@example.com")))
                .isInstanceOfSatisfying(HeraldApiException.class, e -> assertThat(e.getMessage()).contains("email"));
    }

    @Test
    void channels_fallback_and_a_webhook_target_are_delivered_and_show_in_the_receipt() {
        herald.putContacts("u1", Contacts.none().webhook(receiver.url("/u1"), SECRET).robot("slack", receiver.url("/slack"), null));

        Published published = herald.publish(Publish.toUsers("u1")
                .channels("ws", "webhook")
                .fallback(Duration.ofMillis(300), "slack")
                .notification(Notification.of("Export finished", "Your export #7 is ready."))
                .andTarget("webhook", receiver.url("/ops"), SECRET)
                .json("{\"job\":7}"));

        // nobody is connected to ack, so after 300 ms the fallback goes out through Slack too
        Awaitility.await().atMost(WAIT).until(() -> herald.receipt(published.id()).deliveries().stream()
                .filter(d -> d.state().equals("sent")).count() == 3);
        Receipt receipt = herald.receipt(published.id());
        assertThat(receipt.deliveries()).extracting(Delivery::channel).containsExactlyInAnyOrder("webhook", "webhook", "slack");
        assertThat(receipt.deliveries("webhook")).extracting(Delivery::user).containsExactlyInAnyOrder("u1", null);
        Delivery toUser = receipt.deliveries("webhook").stream().filter(d -> "u1".equals(d.user())).findFirst().orElseThrow();
        assertThat(toUser.messageId()).isEqualTo(published.id());
        assertThat(toUser.title()).isEqualTo("Export finished");
        assertThat(toUser.target()).as("a user's address is read from their contacts at each attempt").isNull();
        assertThat(receipt.deliveries("webhook")).extracting(Delivery::target).containsExactlyInAnyOrder(null, receiver.url("/…"));
        assertThat(toUser.attemptCount()).isEqualTo(1);
        assertThat(toUser.dueAt()).isNull();
        assertThat(toUser.attempts()).singleElement().satisfies(a -> {
            assertThat(a.number()).isEqualTo(1);
            assertThat(a.outcome()).isEqualTo("ok");
            assertThat(a.status()).isEqualTo(200);
        });
        assertThat(receipt.deliveries("slack")).singleElement().satisfies(d -> assertThat(d.user()).isEqualTo("u1"));

        for (String path : List.of("/u1", "/ops")) {
            assertThat(receiver.requests(path)).singleElement().satisfies(r -> {
                assertThat(r.body()).contains("Export finished", "\"job\":7");
                assertThat(r.header("Webhook-signature")).startsWith("v1,");
            });
        }
        assertThat(receiver.requests("/slack")).singleElement().satisfies(r -> assertThat(r.body()).contains("Your export #7 is ready."));
    }

    @Test
    void a_failed_delivery_is_a_dead_letter_that_can_be_listed_retried_and_deleted() {
        receiver.answer(400, 400);
        String first = herald.publish(Publish.toTargets(Target.webhook(receiver.url("/a"), null)).text("one")).id();
        String second = herald.publish(Publish.toTargets(Target.webhook(receiver.url("/b"), null)).text("two")).id();

        Awaitility.await().atMost(WAIT).until(() -> herald.deadLetters(DeadLetterQuery.all().channel("webhook")).deadLetters().size() == 2);
        DeadLetterQuery query = DeadLetterQuery.all().channel("webhook").limit(1);
        DeadLetterPage newest = herald.deadLetters(query);
        DeadLetterPage older = herald.deadLetters(query.before(newest.next()));
        assertThat(newest.hasNext()).isTrue();
        assertThat(newest.deadLetters()).singleElement().extracting(Delivery::messageId).isEqualTo(second);
        assertThat(older.deadLetters()).singleElement().extracting(Delivery::messageId).isEqualTo(first);
        assertThat(herald.deadLetters(query.before(older.next())).deadLetters()).isEmpty();

        Delivery dead = herald.deadLetters(DeadLetterQuery.all().message(first)).deadLetters().get(0);
        assertThat(dead.state()).isEqualTo("dead");
        assertThat(dead.user()).isNull();
        assertThat(dead.lastError()).contains("400");
        assertThat(dead.attempts()).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo("permanent");
            assertThat(a.status()).isEqualTo(400);
        });
        assertThat(herald.deadLetter(dead.id())).isEqualTo(dead);

        Delivery retried = herald.retryDeadLetter(dead.id());
        assertThat(retried.state()).isEqualTo("pending");
        assertThat(retried.dueAt()).isNotNull();
        Awaitility.await().atMost(WAIT).until(() -> herald.receipt(first).deliveries().get(0).state().equals("sent"));
        assertThat(herald.receipt(first).deliveries().get(0).attempts()).extracting(Delivery.Attempt::outcome).containsExactly("permanent", "ok");
        assertThat(receiver.requests("/a")).hasSize(2);

        String other = herald.deadLetters(DeadLetterQuery.all().message(second)).deadLetters().get(0).id();
        herald.deleteDeadLetter(other);
        assertThatThrownBy(() -> herald.deadLetter(other)).isInstanceOfSatisfying(HeraldApiException.class, e -> {
            assertThat(e.code()).isEqualTo("dead_letter_not_found");
            assertThat(e.status()).isEqualTo(404);
        });
        assertThat(herald.deadLetters(DeadLetterQuery.all()).deadLetters()).isEmpty();
    }

    @Test
    void requests_the_server_refuses_surface_its_error_code() {
        assertThatThrownBy(() -> herald.publish(Publish.toUsers("u1").channels("pager").text("x")))
                .isInstanceOfSatisfying(HeraldApiException.class, e -> {
                    assertThat(e.code()).isEqualTo("invalid_request");
                    assertThat(e.getMessage()).contains("pager");
                });
        assertThatThrownBy(() -> herald.publish(Publish.toUsers("u1").channels("ws", "webhook").notPersisted().text("x")))
                .isInstanceOfSatisfying(HeraldApiException.class, e -> assertThat(e.code()).isEqualTo("invalid_request"));
        assertThatThrownBy(() -> herald.deadLetters(DeadLetterQuery.all().before("not-an-id")))
                .isInstanceOfSatisfying(HeraldApiException.class, e -> assertThat(e.code()).isEqualTo("invalid_cursor"));
    }
}
