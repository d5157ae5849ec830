package dev.herald.server.store;

import dev.herald.core.message.MessageIds;
import dev.herald.core.message.Target;
import dev.herald.core.store.Appended;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoredMessage;
import dev.herald.core.store.StreamPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Stream heads advanced in upserts of a few fixed sizes: every stream of a large group gets its own next position. */
class StreamHeadsTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void groupsAreCutGreedilyIntoTheFixedUpsertSizes() {
        assertThat(MultiRowInserts.chunkSize(627)).isEqualTo(500);
        assertThat(MultiRowInserts.chunkSize(127)).isEqualTo(100);
        assertThat(MultiRowInserts.chunkSize(27)).isEqualTo(20);
        assertThat(MultiRowInserts.chunkSize(7)).isEqualTo(5);
        assertThat(MultiRowInserts.chunkSize(2)).isEqualTo(1);
    }

    @Test
    void everyStreamOfAGroupThatSpansAllUpsertSizesGetsItsNextPosition() {
        int users = 627; // 500 + 100 + 20 + 5 + 1 + 1
        MessageIds ids = new MessageIds();
        try (JdbcMessageStore store = JdbcMessageStore.sqlite(dir.resolve("herald.db"), StoreLimits.defaults(), JdbcStoreOptions.defaults())) {
            for (int round = 1; round <= 2; round++) {
                List<StoredMessage> batch = new ArrayList<>();
                for (int u = 0; u < users; u++) {
                    // user-0 gets two messages per call: its positions follow one another within the group
                    int copies = u == 0 ? 2 : 1;
                    for (int c = 0; c < copies; c++) {
                        batch.add(new StoredMessage(ids.next(T0), T0, T0 + TimeUnit.DAYS.toMillis(1), "{}", List.of("user-" + u), List.of(),
                                false, null));
                    }
                }
                List<Appended> appended = store.append(batch).orTimeout(30, TimeUnit.SECONDS).join();
                for (int i = 0; i < appended.size(); i++) {
                    String user = batch.get(i).users().get(0);
                    StreamPosition p = appended.get(i).positions().get(new Target.User(user));
                    long expected = user.equals("user-0") ? 2L * (round - 1) + 1 + (i == 1 ? 1 : 0) : round;
                    assertThat(p.position()).as(user + " in round " + round).isEqualTo(expected);
                }
            }
        }
    }
}
