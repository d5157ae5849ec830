package dev.herald.server.store;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The rows of one PostgreSQL table for a group, sent as {@code COPY <table> (<columns>) FROM STDIN (FORMAT binary)}:
 * for rows no {@code ON CONFLICT} clause has to sort out (stream entries, recipients, messages without an
 * idempotency key). COPY writes a page's worth of rows with one heap operation and one WAL record
 * ({@code heap_multi_insert}) where an {@code INSERT … SELECT} (see {@link ArrayInserts}) runs the executor and writes
 * a WAL record per row, and the binary format needs no parsing of text into values. One round trip, like the array
 * insert; inside the writer's transaction, so nothing is visible before it commits. Each value must have its
 * column's exact type (binary COPY converts nothing: {@link Type#INT2} for a {@code SMALLINT} column). Used by the
 * writer thread only; one instance per table and group.
 */
final class CopyRows {
    /** A column's PostgreSQL type, as binary COPY encodes it. */
    enum Type { TEXT, INT8, INT2 }

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};

    private final String sql;
    private final Type[] types;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
    private final DataOutputStream out = new DataOutputStream(bytes);
    private int rows;

    CopyRows(String table, String columnList, Type... types) {
        this.sql = copySql(table, columnList);
        this.types = types;
        try {
            out.write(SIGNATURE);
            out.writeInt(0); // flags: no OIDs
            out.writeInt(0); // no header extension
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    static String copySql(String table, String columnList) {
        return "COPY " + table + " (" + columnList + ") FROM STDIN (FORMAT binary)";
    }

    /** Adds one row; values in column order ({@link String}, or any {@link Number} for the integer types), {@code null} for SQL NULL. */
    void add(Object... values) {
        if (values.length != types.length) {
            throw new IllegalArgumentException(types.length + " columns, " + values.length + " values");
        }
        try {
            out.writeShort(types.length);
            for (int i = 0; i < values.length; i++) {
                Object v = values[i];
                if (v == null) {
                    out.writeInt(-1);
                    continue;
                }
                switch (types[i]) {
                    case TEXT -> {
                        byte[] utf8 = ((String) v).getBytes(StandardCharsets.UTF_8);
                        out.writeInt(utf8.length);
                        out.write(utf8);
                    }
                    case INT8 -> {
                        out.writeInt(8);
                        out.writeLong(((Number) v).longValue());
                    }
                    case INT2 -> {
                        out.writeInt(2);
                        out.writeShort(((Number) v).shortValue());
                    }
                }
            }
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        rows++;
    }

    boolean isEmpty() {
        return rows == 0;
    }

    /** Sends the rows (nothing when there are none); returns how many the server stored. */
    long execute(Connection c) throws SQLException {
        if (rows == 0) {
            return 0;
        }
        try {
            out.writeShort(-1); // end of data
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            byte[] data = bytes.toByteArray();
            copy.writeToCopy(data, 0, data.length);
            return copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }
}
