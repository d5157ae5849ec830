package dev.herald.server.durable;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A {@code since} that is neither a message id nor a position: 400 over HTTP; over the WebSocket an error frame, and the connection carries on. */
class BadCursorTest {
    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void the_pull_api_answers_400_invalid_cursor() {
        for (String since : new String[] {"garbage", "01kayz5j4v0000000000000000", "0".repeat(27)}) {
            Http.Response r = server.http().get("/api/v1/users/u/messages?since=" + since);

            assertThat(r.status()).as(since).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_cursor");
            assertThat(r.body()).as("the message never quotes the cursor").doesNotContain(since);
        }
    }

    @Test
    void a_bad_since_in_the_query_gets_an_error_frame_then_the_unacked_replay_and_live_messages() {
        String queued = server.publishToUser("u", "1");

        WsClient client = server.connect("uid=u&since=garbage");

        assertThat(client.awaitMessageIds(1)).containsExactly(queued);
        assertThat(client.frames().get(0)).contains("\"type\":\"welcome\"");
        assertThat(client.frames().get(1)).contains("\"type\":\"error\"").contains("\"code\":\"invalid_cursor\"").contains("since is neither a message id nor a position").doesNotContain("garbage");
        String live = server.publishToUser("u", "2");
        assertThat(client.awaitMessageIds(2)).containsExactly(queued, live);
        assertThat(client.isClosed()).isFalse();
    }

    @Test
    void a_bad_since_in_the_auth_frame_gets_an_error_frame_then_the_unacked_replay() {
        String queued = server.publishToUser("u", "1");
        WsClient client = server.connect();

        client.send("{\"type\":\"auth\",\"uid\":\"u\",\"since\":\"yesterday\"}");

        assertThat(client.awaitMessageIds(1)).containsExactly(queued);
        assertThat(client.framesContaining("\"code\":\"invalid_cursor\"")).singleElement().asString().doesNotContain("yesterday");
    }

    @Test
    void a_bad_since_in_a_subscribe_is_an_error_frame_and_subscribes_to_nothing() {
        WsClient client = server.connectHerald("u");

        client.send("{\"type\":\"subscribe\",\"topics\":[\"news\"],\"since\":\"garbage\",\"ref\":\"s1\"}");

        assertThat(client.awaitFrame(f -> f.contains("\"ref\":\"s1\""))).contains("\"code\":\"invalid_cursor\"").doesNotContain("garbage");
        assertThat(server.server().hub().topicCount()).isZero();
        client.send("{\"type\":\"ping\",\"ref\":\"p\"}");
        assertThat(client.awaitFrame(f -> f.contains("\"ref\":\"p\""))).contains("\"type\":\"pong\"");
    }
}
