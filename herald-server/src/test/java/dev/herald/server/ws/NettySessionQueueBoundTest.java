package dev.herald.server.ws;

import dev.herald.core.hub.HubStats;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When a connection counts as a slow consumer: its queue is full <em>and</em> its socket is backed up. A queue that
 * fills while the socket still takes writes only waits for its event loop (a publisher on another core got ahead of
 * the drain), so it gets {@link NettySession#BURST_FACTOR} times the limit before it is closed anyway.
 * The embedded channel's loop runs the scheduled drain only when told to, which holds a burst in the queue.
 */
class NettySessionQueueBoundTest {
    private static final int LIMIT = 1_000;
    private static final byte[] FRAME = new byte[300];

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final HubStats stats = new HubStats();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private NettySession session() {
        return new NettySession("q1", channel, LIMIT, stats, Instant.now());
    }

    private static int sendUntilRefused(NettySession session, int most) {
        for (int i = 0; i < most; i++) {
            if (!session.send(FRAME)) {
                return i;
            }
        }
        return most;
    }

    @Test
    void a_burst_queued_for_a_writable_socket_is_held_up_to_the_burst_headroom() {
        NettySession session = session();

        int accepted = sendUntilRefused(session, 100);

        assertThat(accepted).isEqualTo(LIMIT * NettySession.BURST_FACTOR / FRAME.length);
        assertThat(session.isClosed()).isTrue();
        assertThat(stats.slowConsumerCloses.sum()).isEqualTo(1);
    }

    @Test
    void the_burst_reaches_the_socket_once_the_loop_drains_it() {
        NettySession session = session();
        int burst = LIMIT * NettySession.BURST_FACTOR / FRAME.length;
        for (int i = 0; i < burst; i++) {
            assertThat(session.send(FRAME)).isTrue();
        }

        channel.runPendingTasks();

        assertThat(session.queuedBytes()).isZero();
        assertThat(session.isClosed()).isFalse();
        assertThat(channel.outboundMessages()).hasSize(burst);
    }

    @Test
    void a_full_queue_behind_a_backed_up_socket_closes_at_the_limit() {
        NettySession session = session();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
        channel.write(Unpooled.wrappedBuffer(new byte[16])); // written, not flushed: the outbound buffer is past its high-water mark
        assertThat(channel.isWritable()).isFalse();

        int accepted = sendUntilRefused(session, 100);

        assertThat(accepted).isEqualTo(LIMIT / FRAME.length);
        assertThat(session.isClosed()).isTrue();
        assertThat(stats.slowConsumerCloses.sum()).isEqualTo(1);
    }
}
