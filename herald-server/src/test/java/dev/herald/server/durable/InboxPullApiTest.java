package dev.herald.server.durable;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /api/v1/users/{uid}/messages?since=&limit=}: a user's retained messages, page by page. */
class InboxPullApiTest {
    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }

    private JsonObject page(String query) {
        Http.Response r = server.http().get("/api/v1/users/u/messages" + query);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    private static List<String> ids(JsonObject page) {
        JsonArray messages = page.getJsonArray("messages");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            ids.add(messages.getJsonObject(i).getString("id"));
        }
        return ids;
    }

    @Test
    void pages_follow_each_other_with_more_and_next_until_the_inbox_is_read() {
        List<String> published = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            published.add(server.publishToUser("u", Integer.toString(i)));
        }

        JsonObject first = page("?limit=2");
        JsonObject second = page("?limit=2&since=" + first.getString("next"));
        JsonObject third = page("?limit=2&since=" + second.getString("next"));

        assertThat(ids(first)).containsExactlyElementsOf(published.subList(0, 2));
        assertThat(first.getBoolean("more")).isTrue();
        assertThat(first.getString("next")).isEqualTo(published.get(1));
        assertThat(ids(second)).containsExactlyElementsOf(published.subList(2, 4));
        assertThat(second.getBoolean("more")).isTrue();
        assertThat(ids(third)).containsExactly(published.get(4));
        assertThat(third.getBoolean("more")).isFalse();
        assertThat(third.getString("next")).isEqualTo(published.get(4));
        JsonObject after = page("?since=" + third.getString("next"));
        assertThat(after.getJsonArray("messages")).isEmpty();
        assertThat(after.getBoolean("more")).isFalse();
        assertThat(after.containsKey("next")).isFalse();
    }

    @Test
    void a_page_has_each_message_with_its_id_time_expiry_and_data() {
        String id = server.publishToUser("u", "{\"text\":\"hi\"}");

        JsonObject message = page("").getJsonArray("messages").getJsonObject(0);

        assertThat(message.fieldNames()).containsExactlyInAnyOrder("id", "ts", "expiresAt", "pos", "epoch", "data");
        assertThat(message.getString("id")).isEqualTo(id);
        assertThat(message.getLong("expiresAt")).isGreaterThan(message.getLong("ts"));
        assertThat(message.getJsonObject("data").encode()).isEqualTo("{\"text\":\"hi\"}");
        assertThat(page("").getBoolean("gap")).isFalse();
    }

    @Test
    void without_limit_a_page_holds_up_to_100_messages() {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 101; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"to\":{\"users\":[\"u\"]},\"data\":").append(i).append('}');
        }
        assertThat(server.http().postJson("/api/v1/messages/batch", batch.append(']').toString()).status()).isEqualTo(200);

        JsonObject page = page("");

        assertThat(page.getJsonArray("messages")).hasSize(100);
        assertThat(page.getBoolean("more")).isTrue();
    }

    @Test
    void a_user_without_messages_has_an_empty_page() {
        JsonObject page = page("");

        assertThat(page.getJsonArray("messages")).isEmpty();
        assertThat(page.getBoolean("more")).isFalse();
        assertThat(page.containsKey("next")).isFalse();
    }

    @Test
    void the_pull_api_shows_only_the_users_own_messages() {
        server.publishToUser("someone-else", "1");
        String mine = server.publishToUser("u", "2");

        assertThat(ids(page(""))).containsExactly(mine);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1001", "abc", "-1", "1.5", ""})
    void a_limit_outside_1_to_1000_is_400_invalid_request(String limit) {
        Http.Response r = server.http().get("/api/v1/users/u/messages?limit=" + limit);

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_request");
        assertThat(r.body()).contains("limit");
    }

    @Test
    void limits_1_and_1000_are_accepted() {
        assertThat(server.http().get("/api/v1/users/u/messages?limit=1").status()).isEqualTo(200);
        assertThat(server.http().get("/api/v1/users/u/messages?limit=1000").status()).isEqualTo(200);
    }

    private static String cursorOf(JsonObject message) {
        return message.getLong("pos") + "@" + message.getString("epoch");
    }

    @Test
    void messages_carry_their_inbox_position_and_since_accepts_it() {
        List<String> published = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            published.add(server.publishToUser("u", Integer.toString(i)));
        }

        JsonObject first = page("?limit=2");
        JsonArray messages = first.getJsonArray("messages");
        assertThat(messages.getJsonObject(0).getLong("pos")).isEqualTo(1L);
        assertThat(messages.getJsonObject(1).getLong("pos")).isEqualTo(2L);
        assertThat(messages.getJsonObject(0).getString("epoch")).matches("[0-9a-f]{8}");
        JsonObject rest = page("?since=" + cursorOf(messages.getJsonObject(1)));

        assertThat(ids(rest)).containsExactlyElementsOf(published.subList(2, 4));
        assertThat(rest.getBoolean("gap")).isFalse();
        assertThat(rest.getBoolean("more")).isFalse();
    }

    @Test
    void a_position_of_another_epoch_answers_the_whole_inbox_with_a_gap() {
        String only = server.publishToUser("u", "1");

        JsonObject page = page("?since=5@0badc0de");

        assertThat(page.getBoolean("gap")).isTrue();
        assertThat(ids(page)).containsExactly(only);
    }

    @ParameterizedTest(name = "since={0}")
    @ValueSource(strings = {"0@abcd1234", "1@", "@abcd1234", "-1@abcd1234", "1@ab-cd", "12345678901234567890@abcd1234"})
    void a_malformed_position_is_400_invalid_cursor(String since) {
        Http.Response r = server.http().get("/api/v1/users/u/messages?since=" + since);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_cursor");
        assertThat(r.body()).doesNotContain(since);
    }
}
