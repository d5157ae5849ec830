package dev.herald.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * One pooled connection with its prepared statements kept for reuse (the writer keeps its session across
 * transactions, so a commit does not pay for parsing its SQL again), and transactions the dialect's way.
 * Used by one thread at a time.
 */
final class SqlSession implements AutoCloseable {
    final Connection connection;
    final SqlDialect dialect;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    SqlSession(Connection connection, SqlDialect dialect) {
        this.connection = connection;
        this.dialect = dialect;
    }

    /** A prepared statement for {@code sql}, made once per session; do not close it. */
    PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement s = statements.get(sql);
        if (s == null) {
            s = connection.prepareStatement(sql);
            statements.put(sql, s);
        }
        return s;
    }

    void begin(boolean write) throws SQLException {
        String sql = dialect.beginSql(write);
        if (sql != null) {
            prepare(sql).execute();
        }
    }

    void commit() throws SQLException {
        if (dialect.commitSql() != null) {
            prepare(dialect.commitSql()).execute();
        } else {
            connection.commit();
        }
    }

    void rollback() throws SQLException {
        if (dialect.rollbackSql() != null) {
            prepare(dialect.rollbackSql()).execute(); // fails harmlessly when BEGIN itself failed
        } else {
            connection.rollback();
        }
    }

    /** Closes the statements and gives the connection back to its pool. */
    @Override
    public void close() {
        for (PreparedStatement s : statements.values()) {
            try {
                s.close();
            } catch (SQLException ignored) {
                // the connection goes back to the pool or is evicted next
            }
        }
        statements.clear();
        try {
            connection.close();
        } catch (SQLException ignored) {
            // returned or evicted already
        }
    }
}
