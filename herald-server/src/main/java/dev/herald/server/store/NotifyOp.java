package dev.herald.server.store;

import dev.herald.core.notify.Attempt;
import dev.herald.core.notify.JobState;

import java.sql.SQLException;

/**
 * One queued {@code NotifyStore} write of a {@link JdbcMessageStore}: committed by the writer in its group's
 * transaction, in call order with the appends and status updates around it, like every other {@link WriteOp}.
 */
final class NotifyOp<T> extends WriteOp<T> {
    /** The statements of one call, run by the writer inside the transaction. */
    @FunctionalInterface
    interface Work<T> {
        T apply(NotifyWrites writes) throws SQLException;
    }

    private final int units;
    private final Work<T> work;
    private T result;

    NotifyOp(int units, Work<T> work) {
        this.units = Math.max(1, units);
        this.work = work;
    }

    @Override
    int units() {
        return units;
    }

    @Override
    void apply(WriteTransaction tx) throws SQLException {
        result = work.apply(tx.notifyWrites());
    }

    @Override
    T result() {
        return result;
    }

    /** A {@code complete} call: queued in the transaction's {@link JobCompletions}, its outcome known after the flush. */
    static final class Complete extends WriteOp<Boolean> {
        private final String jobId;
        private final Attempt attempt;
        private final JobState next;
        private final long nextDueAt;
        private final String lastError;
        private JobCompletions.Pending pending;

        Complete(String jobId, Attempt attempt, JobState next, long nextDueAt, String lastError) {
            this.jobId = jobId;
            this.attempt = attempt;
            this.next = next;
            this.nextDueAt = nextDueAt;
            this.lastError = lastError;
        }

        @Override
        int units() {
            return 1;
        }

        @Override
        void apply(WriteTransaction tx) throws SQLException {
            pending = tx.complete(jobId, attempt, next, nextDueAt, lastError);
        }

        @Override
        Boolean result() {
            return pending.applied;
        }
    }
}
