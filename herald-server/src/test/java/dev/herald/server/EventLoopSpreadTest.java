package dev.herald.server;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.RawWebSocket;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * http.event-loops: the port is served by one HTTP server per event loop, all on the one port (also the random
 * one of port 0), and connections spread over the loops; the connection cap still counts over all of them.
 */
class EventLoopSpreadTest {
    private static final int CONNECTIONS = 40;
    private final List<TestServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(TestServer::close);
    }

    private TestServer start(Map<Setting, String> overrides) {
        TestServer server = TestServer.devMode(overrides);
        servers.add(server);
        return server;
    }

    @Test
    void forty_websockets_on_the_one_random_port_spread_over_every_event_loop_and_each_gets_its_messages() {
        TestServer server = start(Map.of(Setting.HTTP_EVENT_LOOPS, "4"));
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            clients.add(server.connectHerald("u" + i));
        }

        assertThat(server.server().eventLoops()).isEqualTo(4);
        // accepted connections are handed round robin: all four loops hold some
        assertThat(server.server().eventLoopsWithWebSockets()).isEqualTo(4);
        for (int i = 0; i < CONNECTIONS; i++) {
            assertThat(server.http().get("/send?uid=u" + i + "&message=m" + i + "&persist=false").status()).isEqualTo(200);
        }
        for (int i = 0; i < CONNECTIONS; i++) {
            String expected = "m" + i;
            clients.get(i).awaitFrame(f -> f.contains(expected));
        }
    }

    @Test
    void with_one_event_loop_every_connection_is_on_it() {
        TestServer server = start(Map.of(Setting.HTTP_EVENT_LOOPS, "1"));
        for (int i = 0; i < 8; i++) {
            server.connectHerald("u" + i);
        }

        assertThat(server.server().eventLoops()).isEqualTo(1);
        assertThat(server.server().eventLoopsWithWebSockets()).isEqualTo(1);
    }

    @Test
    void ws_max_connections_counts_the_connections_of_all_event_loops_together() {
        TestServer server = start(Map.of(Setting.HTTP_EVENT_LOOPS, "4", Setting.WS_MAX_CONNECTIONS, "6"));
        for (int i = 0; i < 6; i++) {
            server.connectHerald("u" + i);
        }
        assertThat(server.server().eventLoopsWithWebSockets()).isGreaterThan(1);

        Http.Response refused = RawWebSocket.refusedUpgrade(server.wsUri("uid=seventh"));

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.errorCode()).isEqualTo("too_many_connections");
        assertThat(server.server().connectionLimit().webSockets()).isEqualTo(6);
    }

    @Test
    void shutdown_closes_every_server_so_the_port_can_be_listened_again() {
        TestServer first = start(Map.of(Setting.HTTP_EVENT_LOOPS, "4"));
        int port = first.port();
        for (int i = 0; i < 4; i++) { // every server has accepted a connection
            first.connectHerald("u" + i);
        }
        first.close();

        // a server still listening on any of the four loops would keep the port bound: this start would fail
        TestServer second = start(Map.of(Setting.HTTP_EVENT_LOOPS, "4", Setting.PORT, Integer.toString(port)));

        assertThat(second.port()).isEqualTo(port);
        second.connectHerald("again");
        assertThat(second.server().hub().sessions("again")).hasSize(1);
    }
}
