package dev.herald.server.durable;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.SwitchableStore;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The store goes away: publishes fail with 503 and store nothing, connecting clients are sent away to retry, and all recovers. */
class StoreUnavailableTest {
    private final SwitchableStore store = new SwitchableStore();
    private final TestServer server = TestServer.devMode(Map.of(), store);

    @AfterEach
    void stop() {
        server.close();
    }

    private static void assertStoreUnavailable(Http.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(503);
        assertThat(r.errorCode()).isEqualTo("store_unavailable");
        assertThat(r.body()).doesNotContain("test switch"); // the cause is logged, not sent
    }

    private JsonObject inbox(String uid) {
        Http.Response r = server.http().get("/api/v1/users/" + uid + "/messages");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    @Test
    void a_publish_while_the_store_is_down_is_503_and_stores_nothing_then_publishing_recovers() {
        store.fail(true);

        assertStoreUnavailable(server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"u\"]},\"data\":1}"));
        assertStoreUnavailable(server.http().get("/send?uid=u&message=x"));

        store.fail(false);
        assertThat(inbox("u").getJsonArray("messages")).isEmpty();
        Http.Response recovered = server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"u\"]},\"data\":2}");
        assertThat(recovered.status()).isEqualTo(202);
        assertThat(inbox("u").getJsonArray("messages")).hasSize(1);
        assertThat(server.server().stats().storeFailures.sum()).isEqualTo(2);
        assertThat(server.http().get("/metrics").metric("herald_store_failures_total")).isEqualTo(2.0);
    }

    @Test
    void a_batch_while_the_store_is_down_is_503_and_stores_or_publishes_none_of_its_messages() {
        WsClient online = server.connectHerald("u");
        store.fail(true);

        Http.Response r = server.http().postJson("/api/v1/messages/batch", "[{\"to\":{\"users\":[\"u\"]},\"data\":1},"
                + "{\"to\":{\"users\":[\"u\"]},\"data\":0,\"persist\":false},{\"to\":{\"users\":[\"v\"]},\"data\":2}]");

        assertStoreUnavailable(r);
        store.fail(false);
        assertThat(inbox("u").getJsonArray("messages")).isEmpty();
        assertThat(inbox("v").getJsonArray("messages")).isEmpty();
        String live = server.publishToUser("u", "3");
        assertThat(online.awaitMessageIds(1)).containsExactly(live); // nothing of the failed batch reached the client
    }

    @Test
    void a_fire_and_forget_publish_does_not_need_the_store() {
        WsClient online = server.connectHerald("u");
        store.fail(true);

        Http.Response r = server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"u\"]},\"data\":1,\"persist\":false}");

        assertThat(r.status()).isEqualTo(200);
        assertThat(online.awaitMessageIds(1)).containsExactly(new JsonObject(r.body()).getString("id"));
    }

    @Test
    void a_client_connecting_while_the_store_is_down_is_closed_with_4500_to_reconnect_later() {
        store.fail(true);

        WsClient client = server.connect("uid=u");

        assertThat(client.awaitClose()).isEqualTo(4500);
        store.fail(false);
        String queued = server.publishToUser("u", "1");
        WsClient retry = server.connectHerald("u");
        assertThat(retry.awaitMessageIds(1)).containsExactly(queued);
    }

    @Test
    void receipts_and_the_pull_api_answer_503_while_the_store_is_down() {
        String id = server.publishToUser("u", "1");
        store.fail(true);

        assertStoreUnavailable(server.http().get("/api/v1/messages/" + id));
        assertStoreUnavailable(server.http().get("/api/v1/users/u/messages"));
    }
}
