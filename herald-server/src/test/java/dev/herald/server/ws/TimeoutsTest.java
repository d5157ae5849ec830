package dev.herald.server.ws;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Authentication deadline, heartbeat/idle timeout, and the per-user connection cap. */
class TimeoutsTest {
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void a_connection_that_never_authenticates_is_closed_with_4002_after_the_auth_timeout() {
        server = TestServer.devMode(Map.of(Setting.WS_AUTH_TIMEOUT, "300ms"));
        long start = System.nanoTime();

        WsClient lurker = server.connect();

        assertThat(lurker.awaitClose()).isEqualTo(4002);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void a_connection_that_authenticated_in_time_is_not_closed_by_the_auth_sweep() {
        server = TestServer.devMode(Map.of(Setting.WS_AUTH_TIMEOUT, "300ms"));
        WsClient lurker = server.connect();
        WsClient member = server.connectHerald("member");

        assertThat(lurker.awaitClose()).isEqualTo(4002); // the sweep ran, and well past 300ms of member's life
        Awaitility.await().during(Duration.ofMillis(400)).atMost(WsClient.WAIT).until(() -> !member.isClosed());
        assertThat(server.http().get("/send?uid=member&message=ok").status()).isEqualTo(200);
        member.awaitFrame(f -> f.contains("\"data\":\"ok\""));
    }

    @Test
    void a_client_that_answers_pings_stays_open_past_the_idle_timeout() {
        server = TestServer.devMode(Map.of(Setting.WS_HEARTBEAT, "200ms", Setting.WS_IDLE_TIMEOUT, "1s"));
        WsClient client = server.connectHerald("alive");

        // holds for 2.5 idle timeouts: the JDK client auto-answers the server's pings
        Awaitility.await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(10))
                .until(() -> !client.isClosed() && server.server().hub().sessions("alive").size() == 1);

        assertThat(server.http().get("/send?uid=alive&message=still").status()).isEqualTo(200);
        client.awaitFrame(f -> f.contains("\"data\":\"still\""));
    }

    @Test
    void a_client_that_stops_answering_pings_is_closed_with_4010() {
        server = TestServer.devMode(Map.of(Setting.WS_HEARTBEAT, "200ms", Setting.WS_IDLE_TIMEOUT, "1s"));
        WsClient frozen = server.connectHerald("frozen");
        WsClient alive = server.connectHerald("alive");

        frozen.stopReading(); // no more reads: pings go unanswered

        Awaitility.await().atMost(WsClient.WAIT).until(() -> server.server().hub().sessions("frozen").isEmpty());
        frozen.resumeReading();
        assertThat(frozen.awaitClose()).isEqualTo(4010);
        assertThat(alive.isClosed()).isFalse();
        assertThat(server.server().hub().sessions("alive")).hasSize(1);
    }

    @Test
    void the_third_connection_of_a_user_capped_at_two_is_closed_with_4009() {
        server = TestServer.devMode(Map.of(Setting.WS_MAX_CONNECTIONS_PER_USER, "2"));
        WsClient first = server.connectHerald("capped");
        WsClient second = server.connectHerald("capped");

        WsClient third = server.connect("uid=capped");

        assertThat(third.awaitClose()).isEqualTo(4009);
        assertThat(third.framesContaining("welcome")).isEmpty();
        assertThat(first.isClosed()).isFalse();
        assertThat(second.isClosed()).isFalse();
        assertThat(server.server().hub().sessions("capped")).hasSize(2);
        assertThat(server.server().stats().connectionsRejected.sum()).isEqualTo(1);
        assertThat(server.http().get("/send?uid=capped&message=two").body()).contains("\"delivered\":2");
    }

    @Test
    void a_seed_login_over_the_cap_is_closed_with_4009_too() {
        server = TestServer.devMode(Map.of(Setting.WS_MAX_CONNECTIONS_PER_USER, "2"));
        server.connectSeed("9");
        server.connectSeed("9");

        WsClient third = server.connect();
        third.send("{\"uid\":\"9\"}");

        assertThat(third.awaitClose()).isEqualTo(4009);
        assertThat(server.server().hub().sessions("9")).hasSize(2);
    }
}
