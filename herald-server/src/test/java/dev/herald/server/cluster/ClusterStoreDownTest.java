package dev.herald.server.cluster;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestCluster;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.ToxicProxy;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL goes away under one node of a cluster (a proxy in front of it is cut): that node answers durable
 * publishes {@code 503 store_unavailable} and acknowledges none it could not commit; {@code persist:false} publishes
 * still reach the user's connections on the other nodes over Redis; everything acknowledged before is still there
 * afterwards, and publishing recovers when PostgreSQL is back.
 */
class ClusterStoreDownTest {
    private TestCluster cluster;

    @BeforeEach
    void createCluster() throws Exception {
        cluster = new TestCluster();
    }

    @AfterEach
    void closeCluster() throws Exception {
        cluster.close();
    }

    private static String toUser(String uid, int n, boolean persist) {
        return "{\"to\":{\"users\":[\"" + uid + "\"]},\"persist\":" + persist + ",\"data\":{\"n\":" + n + "}}";
    }

    @Test
    void with_postgres_down_durable_publishes_are_503_and_fire_and_forget_ones_still_cross_nodes_over_redis() throws Exception {
        ToxicProxy postgres = cluster.closeLater(new ToxicProxy(TestCluster.POSTGRES.getHost(), TestCluster.postgresPort()));
        TestServer a = cluster.readyNode("a", TestCluster.REDIS.getPort(), postgres.port(), Map.of());
        TestServer b = cluster.readyNode("b", Map.of());
        WsClient onB = cluster.login(b, "ivan");

        List<String> acknowledged = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            acknowledged.add(a.publish(toUser("ivan", n, true)).getString("id"));
        }
        onB.awaitMessageIds(3);

        postgres.cut();
        Http.Response refused = a.http().postJson("/api/v1/messages", toUser("ivan", 4, true));
        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        assertThat(refused.errorCode()).isEqualTo("store_unavailable");

        Http.Response live = a.http().postJson("/api/v1/messages", toUser("ivan", 6, false));
        assertThat(live.status()).as(live.body()).isEqualTo(200);
        String liveId = new JsonObject(live.body()).getString("id");
        assertThat(onB.awaitMessageIds(4)).endsWith(liveId); // over Redis, to the other node, without the store

        postgres.restore();
        Awaitility.await().atMost(WsClient.WAIT).until(() -> a.http().postJson("/api/v1/messages", toUser("ivan", 7, true)).status() == 202);

        // what was acknowledged is all there, and nothing that was refused
        WsClient fresh = b.connect("uid=ivan&since=0");
        cluster.closeLater(fresh::close);
        List<String> stored = fresh.awaitMessageIds(4);
        assertThat(stored.subList(0, 3)).containsExactlyElementsOf(acknowledged);
        assertThat(fresh.frames()).noneMatch(f -> f.contains("\"n\":4") || f.contains("\"n\":6"));
    }
}
