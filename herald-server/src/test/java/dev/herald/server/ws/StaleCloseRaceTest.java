package dev.herald.server.ws;

import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A user reconnects; the old connection's close arrives late and must not unregister the new one. */
@Tag(TestServer.EVENT_LOOPS_TAG)
class StaleCloseRaceTest {
    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }

    private int presenceCount(String uid) {
        return new JsonObject(server.http().get("/api/v1/users/" + uid).body()).getJsonArray("connections").size();
    }

    @Test
    void the_late_close_of_the_old_connection_does_not_remove_the_new_one() {
        WsClient a = server.connectHerald("zoe");
        WsClient b = server.connectHerald("zoe");

        a.close();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().hub().sessions("zoe").size() == 1);
        a.awaitClose();

        assertThat(presenceCount("zoe")).isEqualTo(1);
        assertThat(server.http().get("/send?uid=zoe&message=to-b").body()).contains("\"delivered\":1");
        b.awaitFrame(f -> f.contains("to-b"));
        assertThat(a.framesContaining("to-b")).isEmpty();
    }

    @Test
    void the_old_connection_dropping_without_a_close_frame_does_not_remove_the_new_one() {
        WsClient a = server.connectSeed("zoe");
        WsClient b = server.connectSeed("zoe");

        a.abort();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().hub().sessions("zoe").size() == 1);

        assertThat(server.http().get("/send?uid=zoe&message=to-b").body()).contains("\"delivered\":1");
        assertThat(b.awaitFrame(f -> true)).isEqualTo("to-b");
    }

    @Test
    void racing_reconnects_and_closes_of_one_user_end_with_consistent_hub_counts() {
        List<WsClient> all = new ArrayList<>();
        WsClient previous = server.connectHerald("racer");
        all.add(previous);
        for (int i = 0; i < 20; i++) {
            WsClient next = server.connect("uid=racer"); // the new connection logs in …
            previous.close();                           // … while the old one closes, unawaited
            next.awaitFrame(f -> f.contains("welcome"));
            all.add(next);
            previous = next;
        }
        WsClient last = previous;

        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().hub().sessions("racer").size() == 1);
        assertThat(presenceCount("racer")).isEqualTo(1);
        assertThat(server.server().hub().connectionCount()).isEqualTo(1);
        assertThat(server.server().hub().userCount()).isEqualTo(1);
        assertThat(server.http().get("/send?uid=racer&message=survivor").body()).contains("\"delivered\":1");
        last.awaitFrame(f -> f.contains("survivor"));

        last.close();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().hub().connectionCount() == 0);
        assertThat(server.server().hub().userCount()).isZero();
        assertThat(server.server().hub().topicCount()).isZero();
        all.forEach(c -> assertThat(c.framesContaining("survivor")).hasSizeLessThanOrEqualTo(1));
    }

    @Test
    void many_connections_of_one_user_closing_at_once_leave_nothing_behind() {
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            WsClient c = server.connectHerald("crowd");
            c.send("{\"type\":\"subscribe\",\"topics\":[\"room\"]}");
            c.awaitFrame(f -> f.contains("subscribed"));
            clients.add(c);
        }
        assertThat(server.server().hub().sessions("crowd")).hasSize(12);

        clients.parallelStream().forEach(WsClient::close);

        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().hub().connectionCount() == 0);
        assertThat(server.server().hub().userCount()).isZero();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().hub().topicCount() == 0);
        assertThat(presenceCount("crowd")).isZero();
    }
}
