package dev.herald.server.store;

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
}
