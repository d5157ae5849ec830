package dev.herald.server.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SQLite multi-row inserts in the fixed chunk sizes: every row arrives once, in the order added. */
class MultiRowInsertsTest {
    @TempDir
    Path dir;

    @Test
    void rowsThatSpanAllChunkSizesAreInsertedOnceInOrder() throws Exception {
        int count = 627; // 500 + 100 + 20 + 5 + 1 + 1
        try (SqlSession session = new SqlSession(DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db")), SqlDialect.SQLITE)) {
            try (Statement s = session.connection.createStatement()) {
                s.execute("CREATE TABLE t (name TEXT NOT NULL, n INTEGER NOT NULL, maybe TEXT)");
            }
            MultiRowInserts rows = new MultiRowInserts("t", "name, n, maybe", 3);
            for (int i = 0; i < count; i++) {
                rows.add("row-" + i, (long) i, i % 2 == 0 ? null : "odd");
            }
            rows.execute(session);

            List<String> read = new ArrayList<>();
            try (Statement s = session.connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT name, n, maybe FROM t ORDER BY rowid")) {
                while (rs.next()) {
                    read.add(rs.getString(1) + "/" + rs.getLong(2) + "/" + rs.getString(3));
                }
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                expected.add("row-" + i + "/" + i + "/" + (i % 2 == 0 ? null : "odd"));
            }
            assertThat(read).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aRowOfTheWrongWidthIsRefused() {
        MultiRowInserts rows = new MultiRowInserts("t", "a, b", 2);
        assertThatThrownBy(() -> rows.add("only one"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
