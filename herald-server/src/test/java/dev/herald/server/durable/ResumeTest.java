package dev.herald.server.durable;

import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resuming: a client names the last message it saw ({@code since}) and gets only what came after; a
 * client without a cursor gets what it has not acked. {@code ack} and {@code read} frames record it.
 */
@Tag(TestServer.EVENT_LOOPS_TAG)
class ResumeTest {
    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void since_in_the_query_replays_only_the_messages_after_the_cursor() {
        String first = server.publishToUser("u", "1");
        String second = server.publishToUser("u", "2");
        String third = server.publishToUser("u", "3");

        WsClient client = server.connect("uid=u&since=" + first);

        assertThat(client.awaitMessageIds(2)).containsExactly(second, third);
        String live = server.publishToUser("u", "4");
        assertThat(client.awaitMessageIds(3)).containsExactly(second, third, live);
    }

    @Test
    void since_in_the_auth_frame_replays_only_the_messages_after_the_cursor() {
        server.publishToUser("u", "1");
        String second = server.publishToUser("u", "2");
        String third = server.publishToUser("u", "3");
        WsClient client = server.connect();

        client.send("{\"type\":\"auth\",\"uid\":\"u\",\"since\":\"" + second + "\"}");

        assertThat(client.awaitMessageIds(1)).containsExactly(third);
        assertThat(client.frames().get(0)).contains("\"type\":\"welcome\"");
    }

    @Test
    void a_cursor_at_the_newest_message_replays_nothing() {
        server.publishToUser("u", "1");
        String last = server.publishToUser("u", "2");

        WsClient client = server.connect("uid=u&since=" + last);
        client.awaitFrame(f -> f.contains("\"type\":\"welcome\""));
        String live = server.publishToUser("u", "3");

        assertThat(client.awaitMessageIds(1)).containsExactly(live);
    }

    @Test
    void acked_messages_are_not_replayed_to_a_client_connecting_without_since() {
        String first = server.publishToUser("u", "1");
        String second = server.publishToUser("u", "2");
        String third = server.publishToUser("u", "3");
        String fourth = server.publishToUser("u", "4");
        WsClient client = server.connectHerald("u");
        client.awaitMessageIds(4);

        client.send("{\"type\":\"ack\",\"id\":\"" + first + "\"}");
        client.send("{\"type\":\"ack\",\"ids\":[\"" + second + "\",\"" + fourth + "\"]}");
        server.awaitStatus(first, "u", "acked");
        server.awaitStatus(second, "u", "acked");
        server.awaitStatus(fourth, "u", "acked");
        client.close();

        WsClient again = server.connectHerald("u");

        assertThat(again.awaitMessageIds(1)).containsExactly(third);
        String live = server.publishToUser("u", "5");
        assertThat(again.awaitMessageIds(2)).containsExactly(third, live); // and the acked ones never came
    }

    @Test
    void read_marks_a_message_read_which_also_counts_as_acked() {
        String id = server.publishToUser("u", "1");
        WsClient client = server.connectHerald("u");
        client.awaitMessageIds(1);

        client.send("{\"type\":\"read\",\"ids\":[\"" + id + "\"]}");

        server.awaitStatus(id, "u", "read");
        assertThat(server.recipient(id, "u").getLong("ackedAt")).isNotNull();
        client.close();
        WsClient again = server.connectHerald("u");
        String live = server.publishToUser("u", "2");
        assertThat(again.awaitMessageIds(1)).containsExactly(live);
    }

    @Test
    void with_a_cursor_a_device_gets_what_came_after_it_even_if_another_device_acked_it() {
        String first = server.publishToUser("u", "1");
        String second = server.publishToUser("u", "2");
        WsClient phone = server.connectHerald("u");
        phone.awaitMessageIds(2);
        phone.send("{\"type\":\"ack\",\"ids\":[\"" + first + "\",\"" + second + "\"]}");
        server.awaitStatus(second, "u", "acked");

        WsClient laptop = server.connect("uid=u&since=" + first);

        assertThat(laptop.awaitMessageIds(1)).containsExactly(second);
    }

    @Test
    void an_ack_without_a_valid_id_is_answered_with_an_invalid_frame_error_and_the_connection_stays() {
        WsClient client = server.connectHerald("u");

        client.send("{\"type\":\"ack\",\"ref\":\"a1\"}");
        client.send("{\"type\":\"ack\",\"id\":\"not-an-id\",\"ref\":\"a2\"}");

        assertThat(client.awaitFrame(f -> f.contains("\"ref\":\"a1\""))).contains("\"code\":\"invalid_frame\"");
        assertThat(client.awaitFrame(f -> f.contains("\"ref\":\"a2\""))).contains("\"code\":\"invalid_frame\"");
        String live = server.publishToUser("u", "1");
        assertThat(client.awaitMessageIds(1)).containsExactly(live);
    }
}
