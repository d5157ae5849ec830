package dev.herald.server.net;

import io.netty.channel.epoll.Epoll;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NetworkTransportTest {

    @Test
    void with_the_native_library_on_the_class_path_linux_runs_on_epoll() throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && "amd64".equals(System.getProperty("os.arch")),
                "the epoll library Herald ships is for Linux x86-64");
        assertThat(Epoll.isAvailable()).as("epoll loads: %s", Epoll.unavailabilityCause()).isTrue();
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        try {
            NetworkTransport transport = NetworkTransport.of(vertx);
            assertThat(transport.name()).isEqualTo("epoll");
            assertThat(transport.isNative()).isTrue();
            assertThat(transport.describe()).isEqualTo("epoll (native)");
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void without_the_native_transport_it_reports_nio_and_why() throws Exception {
        Vertx vertx = Vertx.vertx(); // native transport not requested: what every other platform gets
        try {
            NetworkTransport transport = NetworkTransport.of(vertx);
            assertThat(transport.name()).isEqualTo("nio");
            assertThat(transport.isNative()).isFalse();
            assertThat(transport.describe()).startsWith("nio (native transport unavailable: ");
            assertThat(transport.fallbackCause()).isNotBlank();
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
