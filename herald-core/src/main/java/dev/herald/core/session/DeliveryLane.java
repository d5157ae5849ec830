package dev.herald.core.session;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The sessions owned by one transport thread (a Netty event loop), and a way to run work there: the
 * seam that lets the hub split a broadcast per owning thread. Each lane walks its own sessions on its
 * own thread, so a broadcast to 10,000 connections costs the publishing thread one task per lane, not
 * 10,000 enqueues; the frame is still encoded once and shared. The core sees only an {@link Executor}
 * and a "am I on it" test: no transport type.
 *
 * <p><b>Order.</b> Messages from one publisher reach each connection in publish order, whichever way
 * they travel: {@link #runInOrder} runs a task at once only when no task given to this lane earlier is
 * still waiting; otherwise the task goes behind them on the lane. A personal message published right
 * after a broadcast therefore queues behind the broadcast's walk instead of overtaking it. This needs
 * an executor that runs tasks one at a time in submission order (a Netty event loop does).
 *
 * <p>Thread-safe. A transport makes one lane per thread and hands it to each session it creates
 * ({@link BaseSession#lane}); sessions without one are walked on the publishing thread, as before.
 */
public final class DeliveryLane {
    private final Executor executor;
    private final BooleanSupplier onLaneThread;
    private final Set<BaseSession> sessions = ConcurrentHashMap.newKeySet();
    /** Tasks handed to the executor and not finished; while any waits, later work queues behind it. */
    private final AtomicInteger waiting = new AtomicInteger();

    /**
     * @param executor     runs tasks one at a time, in submission order (the transport thread's task queue)
     * @param onLaneThread whether the calling thread is that thread
     */
    public DeliveryLane(Executor executor, BooleanSupplier onLaneThread) {
        this.executor = executor;
        this.onLaneThread = onLaneThread;
    }

    /** A lane for sessions without a transport thread: everything runs on the calling thread. */
    public static DeliveryLane callerRuns() {
        return new DeliveryLane(Runnable::run, () -> true);
    }

    /**
     * Runs {@code task} after every task this lane accepted before: on the calling thread at once when
     * none is waiting (and, with {@code onLaneOnly}, the caller is the lane's thread), else on the lane.
     * Returns {@code true} when it ran at once.
     */
    public boolean runInOrder(Runnable task, boolean onLaneOnly) {
        if (waiting.get() == 0 && (!onLaneOnly || onLaneThread.getAsBoolean())) {
            task.run();
            return true;
        }
        waiting.incrementAndGet();
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } finally {
                    waiting.decrementAndGet();
                }
            });
        } catch (RuntimeException e) {
            waiting.decrementAndGet(); // the executor refused it (shutting down): nothing waits
            throw e;
        }
        return false;
    }

    /** Whether a task handed to this lane is still waiting (for tests and diagnostics). */
    public boolean busy() {
        return waiting.get() > 0;
    }

    /** Called by the hub when it registers the session. */
    public void add(BaseSession session) {
        sessions.add(session);
    }

    /** Called by the hub when it removes the session. */
    public void remove(BaseSession session) {
        sessions.remove(session);
    }

    /** The lane's sessions right now (weakly consistent). */
    public int size() {
        return sessions.size();
    }

    /** Visits the lane's sessions (weakly consistent); call on the lane's thread, or through {@link #runInOrder}. */
    public void forEach(Consumer<? super BaseSession> action) {
        sessions.forEach(action);
    }
}
