package dev.herald.server.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of one PostgreSQL insert, column by column: each column goes to the server as one array parameter and
 * {@code INSERT … SELECT * FROM unnest(?::text[], ?::bigint[], …)} makes the rows, so a whole group is one statement
 * and one round trip, whatever its size, and the statement's text (hence its server-side plan) is the same for every
 * group. A JDBC batch of single-row inserts is one round trip too, but the server parses, plans and executes each row
 * as a statement of its own; the driver's {@code reWriteBatchedInserts} would make it multi-row, but then reports no
 * count per row, which the idempotency check needs ({@link WriteTransaction} reads the inserted ids back with
 * {@code RETURNING} instead). Used by the writer thread only; one instance per statement and group.
 */
final class ArrayInserts {
    /** The SQL array type of a column: the name {@link Connection#createArrayOf} takes and the cast in the SQL. */
    enum Type {
        TEXT("text"), BIGINT("int8"), INT("int4");

        final String sqlName;

        Type(String sqlName) {
            this.sqlName = sqlName;
        }
    }

    private final Type[] types;
    private final List<List<Object>> columns;

    ArrayInserts(Type... types) {
        this.types = types;
        this.columns = new ArrayList<>(types.length);
        for (int i = 0; i < types.length; i++) {
            columns.add(new ArrayList<>());
        }
    }

    /** {@code INSERT INTO <table> (<columns>) SELECT * FROM unnest(?::<type>[], …)}, to append a conflict clause to. */
    static String insertSql(String table, String columnList, Type... types) {
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (").append(columnList).append(") SELECT * FROM unnest(");
        for (int i = 0; i < types.length; i++) {
            sql.append(i == 0 ? "" : ", ").append("?::").append(types[i].sqlName).append("[]");
        }
        return sql.append(")").toString();
    }

    /** Adds one row; values in column order, {@code null} for SQL NULL. */
    void add(Object... values) {
        if (values.length != types.length) {
            throw new IllegalArgumentException(types.length + " columns, " + values.length + " values");
        }
        for (int i = 0; i < values.length; i++) {
            columns.get(i).add(values[i]);
        }
    }

    boolean isEmpty() {
        return columns.get(0).isEmpty();
    }

    /** Binds each column as one array to the statement's parameters 1, 2, …; the caller executes it. */
    void bind(Connection c, PreparedStatement s) throws SQLException {
        for (int i = 0; i < types.length; i++) {
            Object[] values = switch (types[i]) {
                case TEXT -> columns.get(i).toArray(new String[0]);
                case BIGINT -> columns.get(i).toArray(new Long[0]);
                case INT -> columns.get(i).toArray(new Integer[0]);
            };
            Array array = c.createArrayOf(types[i].sqlName, values);
            s.setArray(i + 1, array);
        }
    }
}
