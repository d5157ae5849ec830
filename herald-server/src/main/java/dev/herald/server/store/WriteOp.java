package dev.herald.server.store;

import dev.herald.core.store.Appended;
import dev.herald.core.store.Maintenance;
import dev.herald.core.store.StatusUpdate;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoreUnavailableException;
import dev.herald.core.store.StoredMessage;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One queued write call of a {@link JdbcMessageStore}: applied by the writer inside its group's transaction,
 * completed on the completion thread after the commit (or failed with the group). The hand-over through the
 * completion executor makes the writer's results visible to the completing thread.
 */
abstract class WriteOp<T> {
    final CompletableFuture<T> future = new CompletableFuture<>();
    /** Set when the call fails without (or despite) reaching the database. */
    StoreUnavailableException rejected;

    /** Messages or updates it carries, for the group and queue limits. */
    abstract int units();

    /** What it counts against the limits while queued: nothing once rejected. */
    final int queuedUnits() {
        return rejected == null ? units() : 0;
    }

    abstract void apply(WriteTransaction tx) throws SQLException;

    abstract T result();

    final void complete() {
        if (rejected != null) {
            future.completeExceptionally(rejected);
            return;
        }
        T result;
        try {
            result = result();
        } catch (RuntimeException | Error e) {
            future.completeExceptionally(e); // an append's caller step failed: its own future says so
            return;
        }
        future.complete(result);
    }

    /** An append; on the completion thread, after the commit, its caller's step runs with the results. */
    static final class Append<R> extends WriteOp<R> {
        private final List<StoredMessage> messages;
        private final Function<List<Appended>, R> committed;
        private List<WriteTransaction.Slot> slots;

        Append(List<StoredMessage> messages, Function<List<Appended>, R> committed) {
            this.messages = messages;
            this.committed = committed;
        }

        @Override
        int units() {
            return Math.max(1, messages.size());
        }

        @Override
        void apply(WriteTransaction tx) throws SQLException {
            slots = tx.append(messages);
        }

        @Override
        R result() {
            return committed.apply(slots.stream().map(WriteTransaction.Slot::result).toList());
        }
    }

    static final class Status extends WriteOp<Integer> {
        private final List<StatusUpdate> updates;
        private WriteTransaction.StatusCount count;

        Status(List<StatusUpdate> updates) {
            this.updates = updates;
        }

        @Override
        int units() {
            return Math.max(1, updates.size());
        }

        @Override
        void apply(WriteTransaction tx) throws SQLException {
            count = tx.updateStatus(updates);
        }

        @Override
        Integer result() {
            return count.applied;
        }
    }

    static final class Maintain extends WriteOp<Maintenance> {
        private final StoreLimits limits;
        private final long now;
        private Maintenance result;

        Maintain(StoreLimits limits, long now) {
            this.limits = limits;
            this.now = now;
        }

        @Override
        int units() {
            return 1;
        }

        @Override
        void apply(WriteTransaction tx) throws SQLException {
            result = tx.maintain(limits, now);
        }

        @Override
        Maintenance result() {
            return result;
        }
    }
}
