package dev.herald.server.api;

import dev.herald.core.hub.Hub;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import dev.herald.core.session.Session.Protocol;
import dev.herald.server.config.Setting;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The console's admin endpoints ({@code /api/v1/admin/*}): API key, masking done on the server, bounded pages. */
class ConsoleRoutesTest {
    private static final String RECEIPT_TOKEN = "tok-RECEIPT-0123456789";
    private static final String RECEIPT_SECRET = "receipt-signing-secret-0123456789";
    private static final String SMTP_PASSWORD = "smtp-PASSWORD-0123";
    private static final String PUSHER_SECRET = "pusher-SECRET-0123";
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void the_configuration_is_masked_on_the_server_and_needs_the_api_key() {
        // every secret-typed setting set, and a webhook URL with a token in its path and query
        server = TestServer.withAuth(Map.of(Setting.RECEIPTS_WEBHOOK_URL, "http://127.0.0.1:9/receipts/" + RECEIPT_TOKEN + "?key=" + RECEIPT_TOKEN,
                Setting.RECEIPTS_WEBHOOK_SECRET, RECEIPT_SECRET,
                Setting.EMAIL_SMTP_HOST, "127.0.0.1", Setting.EMAIL_FROM, "noreply@herald.test",
                Setting.EMAIL_USERNAME, "mailer", Setting.EMAIL_PASSWORD, SMTP_PASSWORD,
                Setting.PUSHER_APP_ID, "1", Setting.PUSHER_KEY, "public-key", Setting.PUSHER_SECRET, PUSHER_SECRET));

        Http.Response anonymous = server.http().anonymous().get("/api/v1/admin/config");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.errorCode()).isEqualTo("unauthorized");

        Http.Response answer = server.http().get("/api/v1/admin/config");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).doesNotContain(TestServer.JWT_SECRET, TestServer.API_KEY, RECEIPT_TOKEN, RECEIPT_SECRET,
                SMTP_PASSWORD, PUSHER_SECRET);
        Map<String, JsonObject> byKey = settings(new JsonObject(answer.body()));
        assertThat(byKey).hasSize(Setting.values().length);
        assertThat(byKey.get("auth.jwt-secret").getString("value")).isEqualTo("******** (set)");
        assertThat(byKey.get("auth.jwt-secret").getBoolean("secret")).isTrue();
        assertThat(byKey.get("auth.api-keys").getString("value")).isEqualTo("******** (set)");
        assertThat(byKey.get("receipts.webhook-secret").getString("value")).isEqualTo("******** (set)");
        assertThat(byKey.get("receipts.webhook-url").getString("value")).isEqualTo("http://127.0.0.1:9/…");
        assertThat(byKey.get("node-id").getString("value")).isEqualTo("test-node");
        assertThat(byKey.get("ws.heartbeat").getString("value")).isEqualTo("20s");
        assertThat(byKey.get("ws.heartbeat").getString("origin")).isEqualTo("default");
        for (Setting s : Setting.values()) {
            if (s.secret()) {
                assertThat(byKey.get(s.key()).getString("value")).as(s.key()).isEqualTo("******** (set)");
            }
        }
        assertThat(byKey.get("pusher.key").getString("value")).as("public, not a secret").isEqualTo("public-key");
    }

    private static Map<String, JsonObject> settings(JsonObject body) {
        Map<String, JsonObject> out = new java.util.HashMap<>();
        for (Object o : body.getJsonArray("settings")) {
            JsonObject s = (JsonObject) o;
            out.put(s.getString("key"), s);
        }
        return out;
    }

    @Test
    void a_users_contacts_show_no_secret_url_path_or_whole_e_mail_address() {
        server = TestServer.withAuth(Map.of(Setting.EMAIL_SMTP_HOST, "127.0.0.1", Setting.EMAIL_FROM, "noreply@herald.test"));
        String webhookSecret = "whsec_" + java.util.Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
        String robotKey = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa";
        HttpRequest.Builder put = server.http().request("/api/v1/users/ann/contacts").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject()
                        .put("email", "ann.lee@example.com")
                        .put("webhook", new JsonObject().put("url", "https://crm.example.com/hooks/tok-PATH-0123456789").put("secret", webhookSecret))
                        .put("wecom", new JsonObject().put("url", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + robotKey))
                        .encode()));
        Http.Response stored = server.http().send(put);
        assertThat(stored.status()).as(stored.body()).isEqualTo(200);

        Http.Response answer = server.http().get("/api/v1/admin/users/ann/contacts");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).doesNotContain("ann.lee", "example.com\"", webhookSecret, "whsec_", robotKey, "tok-PATH", "/hooks");
        JsonObject contacts = new JsonObject(answer.body()).getJsonObject("contacts");
        assertThat(contacts.getJsonObject("email").getString("address")).isEqualTo("a••••••@e••••••.com");
        assertThat(contacts.getJsonObject("webhook").getString("url")).isEqualTo("https://crm.example.com/…");
        assertThat(contacts.getJsonObject("webhook").getBoolean("secret")).isTrue();
        assertThat(contacts.getJsonObject("wecom").getString("url")).isEqualTo("https://qyapi.weixin.qq.com/…");

        assertThat(server.http().get("/api/v1/admin/users/nobody/contacts").errorCode()).isEqualTo("contacts_not_found");
        assertThat(server.http().anonymous().get("/api/v1/admin/users/ann/contacts").status()).isEqualTo(401);
    }

    @Test
    void e_mail_addresses_keep_one_character_of_each_part_and_the_top_level_domain() {
        assertThat(ConsoleRoutes.maskEmail("bo@x.org")).isEqualTo("b•@x•.org");
        assertThat(ConsoleRoutes.maskEmail("a@localhost")).isEqualTo("a•@l••••••••");
        assertThat(ConsoleRoutes.maskEmail("not-an-address")).isEqualTo("n•••••••••••••");
    }

    @Test
    void health_reports_the_store_probe_and_the_dead_letter_count() throws Exception {
        server = TestServer.devMode(Map.of(Setting.NOTIFY_MAX_ATTEMPTS, "1", Setting.NOTIFY_ALLOW_LOOPBACK, "true"));
        JsonObject empty = new JsonObject(server.http().get("/api/v1/admin/health").body());
        assertThat(empty.getJsonObject("store").getBoolean("healthy")).isTrue();
        assertThat(empty.getJsonObject("store").getDouble("latencyMs")).isGreaterThanOrEqualTo(0.0).isLessThan(2_000.0);
        assertThat(empty.getJsonObject("store").getString("name")).startsWith("sqlite:");
        assertThat(empty.getJsonObject("deadLetters").getInteger("count")).isZero();

        // a webhook to a port nobody listens on, one attempt: a dead letter at once
        server.publish("{\"to\":{\"webhook\":{\"url\":\"http://127.0.0.1:9/hook\"}},\"data\":\"to a dead end\"}");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() ->
                new JsonObject(server.http().get("/api/v1/admin/health").body()).getJsonObject("deadLetters").getInteger("count") == 1);
        // an exact count, not a page's size with a "more" flag
        assertThat(new JsonObject(server.http().get("/api/v1/admin/health").body()).getJsonObject("deadLetters").fieldNames())
                .containsExactly("count");
    }

    /** A registered connection without a socket: the hub holds 20,000 of them as it would real ones. */
    private static final class ListedSession extends BaseSession {
        ListedSession(String id, String user) {
            super(id, "127.0.0.1:1", Instant.EPOCH);
            bind(user, Protocol.HERALD);
        }

        @Override
        public boolean send(byte[] frame) {
            return true;
        }

        @Override
        protected void closeTransport(CloseReason reason) {
            transportClosed();
        }
    }

    @Test
    void the_users_page_walks_20000_registered_sessions_50_at_a_time_and_visits_each_user_once() {
        server = TestServer.devMode();
        Hub hub = server.server().hub();
        int users = 20_000;
        for (int i = 0; i < users; i++) {
            hub.add(new ListedSession("c" + i, String.format("user-%05d", i)));
        }
        hub.add(new ListedSession("second", "user-00007")); // two tabs: one row, two connections

        Set<String> seen = new HashSet<>();
        List<Integer> pageSizes = new ArrayList<>();
        String after = "";
        String previous = "";
        while (after != null) {
            Http.Response answer = server.http().get("/api/v1/admin/users?after=" + after);
            assertThat(answer.status()).isEqualTo(200);
            JsonObject page = new JsonObject(answer.body());
            JsonArray rows = page.getJsonArray("users");
            pageSizes.add(rows.size());
            for (Object o : rows) {
                String user = ((JsonObject) o).getString("user");
                assertThat(user).as("user-id order").isGreaterThan(previous);
                previous = user;
                assertThat(seen.add(user)).as("%s once", user).isTrue();
            }
            if (pageSizes.size() == 1) {
                assertThat(page.getInteger("usersOnline")).isEqualTo(users);
                assertThat(page.getInteger("connections")).isEqualTo(users + 1);
                assertThat(rows.getJsonObject(7).getInteger("connections")).isEqualTo(2);
                assertThat(rows.getJsonObject(7).getJsonObject("transports").getInteger("websocket")).isEqualTo(2);
            }
            after = page.getString("next");
        }
        assertThat(seen).hasSize(users);
        assertThat(pageSizes).hasSize(users / ConsoleRoutes.DEFAULT_USERS_PAGE).allMatch(n -> n == ConsoleRoutes.DEFAULT_USERS_PAGE);

        JsonObject filtered = new JsonObject(server.http().get("/api/v1/admin/users?prefix=user-1999&limit=500").body());
        assertThat(filtered.getJsonArray("users")).hasSize(10);
        assertThat(filtered.getString("next")).isNull();
        assertThat(server.http().get("/api/v1/admin/users?limit=501").errorCode()).isEqualTo("invalid_request");
    }
}
