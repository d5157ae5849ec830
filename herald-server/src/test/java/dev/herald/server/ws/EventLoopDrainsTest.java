package dev.herald.server.ws;

import io.netty.channel.DefaultEventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A burst of drains asked for from another thread (a broadcast) runs in a few loop tasks, on the loop, each drain once. */
class EventLoopDrainsTest {
    /** An event loop that counts the tasks it is given. */
    private static final class CountingLoop extends DefaultEventLoop {
        final AtomicInteger tasks = new AtomicInteger();

        @Override
        public void execute(Runnable task) {
            tasks.incrementAndGet();
            super.execute(task);
        }
    }

    private final CountingLoop loop = new CountingLoop();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Blocks the loop until the returned latch is released, so scheduled drains pile up. */
    private CountDownLatch blockLoop() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        loop.execute(() -> {
            blocked.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    @Test
    void ten_thousand_drains_from_another_thread_run_on_the_loop_in_three_tasks() throws Exception {
        EventLoopDrains drains = new EventLoopDrains(loop);
        int n = 10_000;
        AtomicInteger drained = new AtomicInteger();
        AtomicInteger offLoop = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(n);
        CountDownLatch release = blockLoop();
        int tasksBefore = loop.tasks.get();

        for (int i = 0; i < n; i++) {
            drains.schedule(() -> {
                if (!loop.inEventLoop()) {
                    offLoop.incrementAndGet();
                }
                drained.incrementAndGet();
                all.countDown();
            });
        }
        assertThat(loop.tasks.get() - tasksBefore).as("tasks submitted while the loop was busy").isEqualTo(1);
        release.countDown();

        assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(drained.get()).isEqualTo(n);
        assertThat(offLoop.get()).isZero();
        // 4,096 drains per task, then it yields the loop and schedules itself again: ceil(10,000 / 4,096) = 3
        assertThat(loop.tasks.get() - tasksBefore).isEqualTo((n + EventLoopDrains.DRAINS_PER_TASK - 1) / EventLoopDrains.DRAINS_PER_TASK);
    }

    @Test
    void a_drain_asked_for_while_the_drains_run_is_not_lost_and_runs_in_order() throws Exception {
        EventLoopDrains drains = new EventLoopDrains(loop);
        List<String> ran = new ArrayList<>(); // only touched on the loop
        CountDownLatch done = new CountDownLatch(1);
        EventLoopDrains.Drainable last = () -> {
            ran.add("late");
            done.countDown();
        };
        drains.schedule(() -> {
            ran.add("first");
            drains.schedule(last); // e.g. a message queued by a handler running on the loop
        });

        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).containsExactly("first", "late");
    }
}
