package dev.herald.server.net;

import dev.herald.server.config.HttpConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The guard's state machine on an embedded channel: the upgrade timeout, and the hand-over at 101. */
class HttpConnectionGuardTest {
    private final HttpConnectionGuard guard = new HttpConnectionGuard(new HttpConfig(Duration.ofSeconds(60), Duration.ofSeconds(60),
            Duration.ofMillis(200), HttpConfig.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS));

    private static DefaultHttpRequest upgradeRequest() {
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/ws");
        request.headers().set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "Upgrade");
        return request;
    }

    @Test
    void an_upgrade_request_left_unanswered_is_closed_after_the_upgrade_timeout() {
        EmbeddedChannel channel = new EmbeddedChannel();
        assertThat(guard.admit(channel, c -> true)).isTrue();

        channel.writeInbound(upgradeRequest());

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            guard.sweep();
            channel.runPendingTasks();
            return !channel.isOpen();
        });
        assertThat(guard.upgradeTimeouts().sum()).isEqualTo(1);
        assertThat(guard.headerTimeouts().sum()).isZero();
    }

    @Test
    void an_upgraded_connection_leaves_the_guard_and_is_never_timed_out_by_it() {
        EmbeddedChannel channel = new EmbeddedChannel();
        guard.admit(channel, c -> true);
        channel.writeInbound(upgradeRequest());

        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS));

        assertThat(channel.pipeline().get(HttpConnectionGuard.STATE_HANDLER)).isNull();
        assertThat(channel.pipeline().get(HttpConnectionGuard.BYTES_HANDLER)).isNull();
        Awaitility.await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(5)).until(() -> {
            guard.sweep();
            channel.runPendingTasks();
            return channel.isOpen();
        });
        assertThat(guard.upgradeTimeouts().sum()).isZero();
        assertThat(guard.watchedConnections()).isZero();
    }
}
