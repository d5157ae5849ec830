package dev.herald.server.ws;

import dev.herald.core.session.DeliveryLane;
import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The send-queue drains asked for on one event loop, run many per task. A broadcast to N connections
 * asks for N drains; one task per connection (Vert.x {@code runOnContext}: a task object, a slot in
 * the loop's task queue and a context switch each) becomes one task per event loop per burst, and a
 * publisher on another thread wakes each loop at most once. The fan-out itself stays on the loops
 * that own the connections: every drain runs on its connection's loop.
 *
 * <p>One instance per event loop thread ({@link #of}); {@link #schedule} may be called from any thread.
 */
final class EventLoopDrains {
    /** Drains run by one task before it yields the loop to I/O and other tasks (and schedules itself again). */
    static final int DRAINS_PER_TASK = 4_096;

    private static final ThreadLocal<EventLoopDrains> OF_LOOP_THREAD = new ThreadLocal<>();

    /** Something with a queue to move to its socket; called on its event loop. */
    interface Drainable {
        void drain();
    }

    private final EventExecutor loop;
    private final ConcurrentLinkedQueue<Drainable> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** The drain task, made once: a seed's {@code /send} to an idle connection schedules one per message. */
    private final Runnable runTask = this::run;
    /**
     * This loop as the hub's {@link DeliveryLane}: a broadcast walks this loop's sessions here, as one
     * task in the loop's queue (FIFO, one at a time: what the lane's ordering needs).
     */
    private final DeliveryLane lane;

    EventLoopDrains(EventExecutor loop) {
        this.loop = loop;
        this.lane = new DeliveryLane(loop, loop::inEventLoop);
    }

    DeliveryLane lane() {
        return lane;
    }

    /** The instance of {@code channel}'s event loop. Call on that loop (a connection is set up there). */
    static EventLoopDrains of(Channel channel) {
        EventExecutor loop = channel.eventLoop();
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("EventLoopDrains.of must run on the channel's event loop");
        }
        EventLoopDrains drains = OF_LOOP_THREAD.get();
        if (drains == null || drains.loop != loop) {
            drains = new EventLoopDrains(loop);
            OF_LOOP_THREAD.set(drains);
        }
        return drains;
    }

    /**
     * Runs {@code target.drain()} on this loop soon. The caller makes sure a target is not scheduled
     * twice before it ran (NettySession's {@code drainScheduled} flag).
     */
    void schedule(Drainable target) {
        pending.add(target);
        if (scheduled.compareAndSet(false, true)) {
            loop.execute(runTask);
        }
    }

    private void run() {
        // Cleared before polling: a target added from now on either is polled below or schedules a new task.
        scheduled.set(false);
        Drainable next;
        for (int i = 0; i < DRAINS_PER_TASK && (next = pending.poll()) != null; i++) {
            next.drain();
        }
        if (!pending.isEmpty() && scheduled.compareAndSet(false, true)) {
            loop.execute(runTask);
        }
    }
}
