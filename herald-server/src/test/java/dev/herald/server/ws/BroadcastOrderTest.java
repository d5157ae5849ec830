package dev.herald.server.ws;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Broadcasts are walked by each event loop over its own connections (DeliveryLane), personal messages go
 * straight to the connection: through the real server, one publisher's messages still arrive in publish
 * order on every connection, whichever loop holds it.
 */
class BroadcastOrderTest {
    private static final int USERS = 8;
    private static final int EVENT_LOOPS = 4;
    private final TestServer server = TestServer.devMode(Map.of(Setting.HTTP_EVENT_LOOPS, Integer.toString(EVENT_LOOPS)));

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void broadcasts_and_personal_messages_of_one_batch_arrive_in_array_order_on_every_connection() {
        List<WsClient> clients = new ArrayList<>();
        for (int k = 0; k < USERS; k++) {
            clients.add(server.connectSeed("u" + k)); // spread over the server's event loops
        }
        assertThat(server.server().eventLoopsWithWebSockets()).as("connections on several loops").isEqualTo(EVENT_LOOPS);
        int messages = 300;
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < messages; i++) {
            if (i > 0) {
                batch.append(',');
            }
            batch.append(i % 3 == 0
                    ? "{\"to\":{\"all\":true},\"data\":\"b" + i + "\",\"persist\":false}"
                    : "{\"to\":{\"users\":[\"u" + (i % USERS) + "\"]},\"data\":\"p" + i + "\",\"persist\":false}");
        }

        Http.Response r = server.http().postJson("/api/v1/messages/batch", batch.append(']').toString());

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        for (int k = 0; k < USERS; k++) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                if (i % 3 == 0) {
                    expected.add("b" + i);
                } else if (i % USERS == k) {
                    expected.add("p" + i);
                }
            }
            WsClient client = clients.get(k);
            client.awaitFrameCount(f -> true, expected.size());
            assertThat(client.frames()).as("u%d", k).containsExactlyElementsOf(expected);
        }
    }
}
