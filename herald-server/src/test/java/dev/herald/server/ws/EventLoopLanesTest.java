package dev.herald.server.ws;

import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.message.Message;
import dev.herald.core.message.Target;
import dev.herald.core.session.BaseSession;
import dev.herald.core.session.CloseReason;
import dev.herald.core.session.DeliveryLane;
import io.netty.channel.DefaultEventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Netty side of the broadcast seam: each event loop's {@link EventLoopDrains} is a {@link DeliveryLane}
 * whose executor is the loop itself, so a broadcast walks each loop's sessions on that loop, and one
 * publisher's broadcasts and personal messages keep their order on every session.
 */
class EventLoopLanesTest {
    private final DefaultEventLoop loopA = new DefaultEventLoop();
    private final DefaultEventLoop loopB = new DefaultEventLoop();
    private final EventLoopDrains drainsA = new EventLoopDrains(loopA);
    private final EventLoopDrains drainsB = new EventLoopDrains(loopB);
    private final Hub hub = new Hub(16, 10, new HubStats());

    @AfterEach
    void stop() {
        loopA.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        loopB.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Records frames and whether each was queued on the session's own loop. */
    private static final class LoopSession extends BaseSession {
        private final EventLoopDrains drains;
        private final DefaultEventLoop loop;
        final List<String> frames = new ArrayList<>();
        final List<Boolean> onOwnLoop = new ArrayList<>();

        LoopSession(String userId, EventLoopDrains drains, DefaultEventLoop loop) {
            super(userId, "127.0.0.1:1", Instant.EPOCH);
            this.drains = drains;
            this.loop = loop;
            bind(userId, Protocol.SEED);
        }

        @Override
        public DeliveryLane lane() {
            return drains.lane();
        }

        @Override
        public synchronized boolean send(byte[] frame) {
            frames.add(new String(frame, StandardCharsets.UTF_8));
            onOwnLoop.add(loop.inEventLoop());
            return true;
        }

        synchronized List<String> frames() {
            return List.copyOf(frames);
        }

        @Override
        protected void closeTransport(CloseReason reason) { }
    }

    @Test
    void broadcasts_run_on_each_sessions_loop_and_keep_one_publishers_order() {
        List<LoopSession> sessions = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            LoopSession s = i % 2 == 0 ? new LoopSession("u" + i, drainsA, loopA) : new LoopSession("u" + i, drainsB, loopB);
            hub.add(s);
            sessions.add(s);
        }
        int messages = 3_000;
        for (int m = 0; m < messages; m++) {
            List<Target> to = m % 4 == 0 ? List.of(Target.Everyone.INSTANCE) : List.of(new Target.User("u" + (m % 10)));
            String text = Integer.toString(m);
            hub.deliver(to, new Message(text, 0, "\"" + text + "\"", text.getBytes(StandardCharsets.UTF_8)));
        }

        await().atMost(10, TimeUnit.SECONDS).until(() -> !drainsA.lane().busy() && !drainsB.lane().busy());
        for (int i = 0; i < 10; i++) {
            List<String> expected = new ArrayList<>();
            for (int m = 0; m < messages; m++) {
                if (m % 4 == 0 || m % 10 == i) {
                    expected.add(Integer.toString(m));
                }
            }
            LoopSession s = sessions.get(i);
            assertThat(s.frames()).as("u%d", i).containsExactlyElementsOf(expected);
        }
        // the first broadcast (message 0) could not run inline: the publisher is on no loop
        assertThat(sessions.get(0).onOwnLoop.get(0)).isTrue();
        assertThat(sessions.get(1).onOwnLoop.get(0)).isTrue();
    }
}
