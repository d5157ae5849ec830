package dev.herald.server.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rows of one SQLite insert without per-row results, sent as multi-row {@code INSERT … VALUES (…), (…)}
 * statements of a few fixed sizes ({@link #CHUNKS}), each prepared once in the writer's session. A JDBC
 * batch of single-row inserts steps and resets the statement once per row; a multi-row statement does both once per
 * chunk, which costs the writer less CPU for the same rows and the same pages written. Used by the writer thread only;
 * one instance per statement and group.
 */
final class MultiRowInserts {
    /**
     * Rows per statement, largest first; a group's rows are cut greedily ({@link #chunkSize}). Few sizes, so the writer's
     * session prepares each statement once and reuses it: preparing one of a group's exact size cost more than running
     * it. 500 rows keep even the widest insert within SQLite's parameter limit.
     */
    static final int[] CHUNKS = {500, 100, 20, 5, 1};

    /**
     * The statements of each table and column list, one per chunk size, made once per process: the session finds its
     * prepared statement by the SQL's text, and the same String instance (its hash kept, equal at the first compare)
     * costs nothing to look up, where building the text of a 500-row insert again and hashing it cost the writer ~2 %.
     */
    private static final Map<String, Shape> SHAPES = new ConcurrentHashMap<>();

    private final int columns;
    private final Shape shape;
    private final List<Object[]> rows = new ArrayList<>();

    /** Rows for {@code INSERT INTO <table> (<columnList>) VALUES …} with {@code columns} values each. */
    MultiRowInserts(String table, String columnList, int columns) {
        this.columns = columns;
        this.shape = SHAPES.computeIfAbsent(table + " (" + columnList + ") " + columns, k -> Shape.of(table, columnList, columns));
    }

    /** The text of an insert of {@code rowCount} rows, and the same instances for the sizes of {@link #CHUNKS}. */
    private record Shape(String prefix, String rowPlaceholders, String[] sqlByChunk) {
        static Shape of(String table, String columnList, int columns) {
            Shape shape = new Shape("INSERT INTO " + table + " (" + columnList + ") VALUES ",
                    "(" + String.join(", ", Collections.nCopies(columns, "?")) + ")", new String[CHUNKS.length]);
            for (int i = 0; i < CHUNKS.length; i++) {
                shape.sqlByChunk[i] = shape.sql(CHUNKS[i]);
            }
            return shape;
        }

        String sql(int rowCount) {
            return prefix + String.join(", ", Collections.nCopies(rowCount, rowPlaceholders));
        }

        String chunkSql(int size) {
            for (int i = 0; i < CHUNKS.length; i++) {
                if (CHUNKS[i] == size) {
                    return sqlByChunk[i];
                }
            }
            throw new IllegalArgumentException("not a chunk size: " + size);
        }
    }

    /** Adds one row; values in column order, {@code null} for SQL NULL. */
    void add(Object... values) {
        if (values.length != columns) {
            throw new IllegalArgumentException(columns + " columns, " + values.length + " values");
        }
        rows.add(values);
    }

    String sql(int rowCount) {
        return shape.sql(rowCount);
    }

    /** The largest of {@link #CHUNKS} that fits in {@code left} rows. */
    static int chunkSize(int left) {
        for (int size : CHUNKS) {
            if (size <= left) {
                return size;
            }
        }
        throw new IllegalArgumentException("no rows left: " + left);
    }

    /** Inserts the rows in order, one statement per chunk; nothing when there are none. */
    void execute(SqlSession session) throws SQLException {
        for (int from = 0; from < rows.size(); ) {
            int size = chunkSize(rows.size() - from);
            bind(session, from, size).executeUpdate();
            from += size;
        }
    }

    /** The statement for the {@code size} rows from row {@code from} on, bound. */
    private PreparedStatement bind(SqlSession session, int from, int size) throws SQLException {
        PreparedStatement s = session.prepare(shape.chunkSql(size));
        int p = 1;
        for (Object[] row : rows.subList(from, from + size)) {
            for (Object value : row) {
                s.setObject(p++, value);
            }
        }
        return s;
    }
}
