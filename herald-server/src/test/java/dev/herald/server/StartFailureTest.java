package dev.herald.server;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StartFailureTest {

    @Test
    void a_port_in_use_fails_the_start_naming_the_address_and_the_running_server_is_unaffected() {
        try (TestServer running = TestServer.devMode()) {
            HeraldServer second = new HeraldServer(TestServer.config(Map.of(Setting.PORT, Integer.toString(running.port()))));

            assertThatThrownBy(second::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + running.port());
            assertThat(running.http().get("/health").status()).isEqualTo(200);
        }
    }
}
