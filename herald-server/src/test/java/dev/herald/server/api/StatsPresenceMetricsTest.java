package dev.herald.server.api;

import dev.herald.server.HeraldServer;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator endpoints: stats, presence, Prometheus metrics, health and the OpenAPI file. */
class StatsPresenceMetricsTest {
    private final Instant startedBefore = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final TestServer server = TestServer.devMode();

    @AfterEach
    void stop() {
        server.close();
    }

    private JsonObject getJson(String path) {
        Http.Response r = server.http().get(path);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return new JsonObject(r.body());
    }

    private static String welcomeConnectionId(WsClient client) {
        return new JsonObject(client.awaitFrame(f -> f.contains("\"type\":\"welcome\""))).getString("connection");
    }

    @Test
    void stats_of_an_idle_server_report_zeroes_node_and_version() {
        JsonObject stats = getJson("/api/v1/stats");

        assertThat(stats.fieldNames()).contains("connections", "usersOnline", "topics", "messagesIn", "messagesOut", "dropped",
                "slowConsumerCloses", "uptimeSeconds", "node", "version");
        assertThat(stats.getInteger("connections")).isZero();
        assertThat(stats.getInteger("usersOnline")).isZero();
        assertThat(stats.getInteger("topics")).isZero();
        assertThat(stats.getLong("messagesIn")).isZero();
        assertThat(stats.getLong("messagesOut")).isZero();
        assertThat(stats.getLong("dropped")).isZero();
        assertThat(stats.getLong("slowConsumerCloses")).isZero();
        assertThat(stats.getLong("uptimeSeconds")).isGreaterThanOrEqualTo(0);
        assertThat(stats.getString("node")).isEqualTo("test-node");
        assertThat(stats.getString("version")).isEqualTo(HeraldServer.VERSION).isNotBlank();
        // the server asks for the native transport; it gets it where Netty's epoll library loads (Linux x86-64)
        assertThat(stats.getString("transport")).isEqualTo(io.netty.channel.epoll.Epoll.isAvailable() ? "epoll" : "nio");
    }

    @Test
    void every_stats_field_is_documented_in_docs_api_md() throws java.io.IOException {
        String api = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "api.md"));
        int start = api.indexOf("## GET /api/v1/stats");
        String section = api.substring(start, api.indexOf("\n## ", start + 1));

        assertThat(getJson("/api/v1/stats").fieldNames())
                .allSatisfy(field -> assertThat(section).as("the field table of GET /api/v1/stats").contains("`" + field + "`"));
    }

    @Test
    void stats_count_connections_users_topics_and_messages() {
        WsClient herald = server.connectHerald("h");
        server.connectHerald("h");
        server.connectSeed("s");
        herald.send("{\"type\":\"subscribe\",\"topics\":[\"news\",\"sports\"]}");
        herald.awaitFrame(f -> f.contains("\"type\":\"subscribed\""));

        server.http().get("/send?uid=s&message=one");
        server.http().postJson("/api/v1/messages", "{\"to\":{\"all\":true},\"data\":2}");

        // the answer comes once the publish is accepted; the broadcast reaches each connection through its lane's
        // queue after that, and counts in messagesOut there (seen once as 2 in CI): wait for all four, then the rest
        Awaitility.await().atMost(WsClient.WAIT).untilAsserted(() -> assertThat(getJson("/api/v1/stats").getLong("messagesOut")).isEqualTo(4));
        JsonObject stats = getJson("/api/v1/stats");
        assertThat(stats.getInteger("connections")).isEqualTo(3);
        assertThat(stats.getInteger("usersOnline")).isEqualTo(2);
        assertThat(stats.getInteger("topics")).isEqualTo(2);
        assertThat(stats.getLong("messagesIn")).isEqualTo(2);
        assertThat(stats.getLong("messagesOut")).isEqualTo(4); // 1 direct + 3 broadcast
        // a single node is its own cluster: nodes holds it alone, total equals it
        assertThat(stats.getJsonArray("nodes")).hasSize(1);
        assertThat(stats.getJsonArray("nodes").getJsonObject(0).getInteger("connections")).isEqualTo(3);
        assertThat(stats.getJsonObject("total").getInteger("nodes")).isEqualTo(1);
        assertThat(stats.getJsonObject("total").getLong("connections")).isEqualTo(3);
        assertThat(stats.getJsonObject("total").getLong("messagesOut")).isEqualTo(4);
        assertThat(stats.containsKey("partial")).isFalse();
    }

    @Test
    void presence_of_an_online_user_lists_each_connection() {
        WsClient herald = server.connectHerald("alice");
        String heraldId = welcomeConnectionId(herald);
        herald.send("{\"type\":\"subscribe\",\"topics\":[\"news\"]}");
        herald.awaitFrame(f -> f.contains("\"type\":\"subscribed\""));
        server.connectSeed("alice");

        JsonObject presence = getJson("/api/v1/users/alice");

        assertThat(presence.getString("user")).isEqualTo("alice");
        assertThat(presence.getBoolean("online")).isTrue();
        JsonArray connections = presence.getJsonArray("connections");
        assertThat(connections).hasSize(2);
        JsonObject heraldConnection = null;
        JsonObject seedConnection = null;
        for (int i = 0; i < connections.size(); i++) {
            JsonObject c = connections.getJsonObject(i);
            assertThat(c.fieldNames()).containsExactlyInAnyOrder("id", "node", "remoteAddress", "protocol", "transport", "connectedAt", "topics");
            assertThat(c.getString("remoteAddress")).contains("127.0.0.1");
            Instant connectedAt = Instant.parse(c.getString("connectedAt"));
            assertThat(connectedAt).isAfterOrEqualTo(startedBefore).isBeforeOrEqualTo(Instant.now());
            if ("herald".equals(c.getString("protocol"))) {
                heraldConnection = c;
            } else {
                seedConnection = c;
            }
        }
        assertThat(heraldConnection).isNotNull();
        assertThat(heraldConnection.getString("id")).isEqualTo(heraldId);
        assertThat(heraldConnection.getJsonArray("topics")).containsExactly("news");
        assertThat(seedConnection).isNotNull();
        assertThat(seedConnection.getString("protocol")).isEqualTo("seed");
        assertThat(seedConnection.getString("id")).isNotBlank().isNotEqualTo(heraldId);
        assertThat(seedConnection.getJsonArray("topics")).isEmpty();
    }

    @Test
    void presence_of_an_offline_user_is_offline_with_no_connections() {
        JsonObject presence = getJson("/api/v1/users/nobody");

        assertThat(presence.getString("user")).isEqualTo("nobody");
        assertThat(presence.getBoolean("online")).isFalse();
        assertThat(presence.getJsonArray("connections")).isEmpty();
    }

    @Test
    void presence_turns_offline_once_the_user_disconnects() {
        WsClient client = server.connectHerald("bob");
        assertThat(getJson("/api/v1/users/bob").getBoolean("online")).isTrue();

        client.close();

        Awaitility.await().atMost(WsClient.WAIT).until(() -> !getJson("/api/v1/users/bob").getBoolean("online"));
        assertThat(getJson("/api/v1/stats").getInteger("connections")).isZero();
    }

    @Test
    void metrics_expose_herald_counters_and_jvm_metrics_in_prometheus_format() {
        server.connectHerald("m");
        server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"m\"]},\"data\":1}");
        server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"m\"]},\"data\":2}");

        System.gc(); // gauges must survive a collection (Micrometer holds gauge state weakly)

        Http.Response r = server.http().get("/metrics");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(r.metric("herald_connections")).isEqualTo(1.0);
        assertThat(r.metric("herald_messages_in_total")).isEqualTo(2.0);
        assertThat(r.metric("herald_messages_out_total")).isEqualTo(2.0);
        assertThat(r.metric("herald_users_online")).isEqualTo(1.0);
        assertThat(r.metric("herald_connections_open{transport=\"websocket\"}")).isEqualTo(1.0);
        assertThat(r.metric("herald_topics")).isEqualTo(0.0);
        assertThat(r.body()).contains("# HELP herald_connections ").contains("# TYPE herald_messages_in_total counter");
        assertThat(r.body()).containsPattern("(?m)^jvm_memory_used_bytes\\{").containsPattern("(?m)^jvm_threads_live_threads ");
        assertThat(r.body()).contains("herald_publish_latency_seconds_count");
        assertThat(r.metric("herald_store_commits_total")).as("the default SQLite store committed the two messages").isGreaterThanOrEqualTo(1.0);
        assertThat(r.metric("herald_store_commits_failed_total")).isZero();
        assertThat(r.metric("herald_store_queue")).isGreaterThanOrEqualTo(0.0);
        assertThat(r.metric("herald_store_wal_bytes")).as("the log, unless the checkpointer emptied it already").isGreaterThanOrEqualTo(0.0);
        assertThat(r.metric("herald_store_wal_writer_checkpoints_total")).isZero();
        assertThat(r.metric("herald_store_group_size_count")).as("one size per committed transaction").isGreaterThanOrEqualTo(1.0);
        assertThat(r.metric("herald_store_group_size_sum")).as("the two messages, and any delivery statuses").isGreaterThanOrEqualTo(2.0);
        assertThat(r.metric("herald_acks_ignored_total")).isZero();
    }

    @Test
    void health_and_liveness_are_up() {
        assertThat(getJson("/health").getString("status")).isEqualTo("UP");
        assertThat(getJson("/health/live").getString("status")).isEqualTo("UP");
        assertThat(getJson("/health/ready").getString("status")).isEqualTo("UP");
    }

    @Test
    void openapi_yaml_is_served_as_yaml() {
        Http.Response r = server.http().anonymous().get("/openapi.yaml");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/yaml");
    }

    @Test
    void large_responses_complete_for_clients_that_offer_an_h2c_upgrade() throws Exception {
        // The JDK HttpClient offers "Upgrade: h2c" on every new connection; with the upgrade accepted,
        // Vert.x 5.0 sometimes never finished a ~20 KiB response (about 1 in 20 connections).
        java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + server.port() + "/openapi.yaml");
        for (int i = 0; i < 100; i++) {
            try (java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient()) {
                java.net.http.HttpResponse<String> r = client.sendAsync(java.net.http.HttpRequest.newBuilder(uri).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).get(5, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("openapi:");
            }
        }
    }
}
