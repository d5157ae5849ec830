package dev.herald.server.store;

import dev.herald.core.store.MemoryMessageStore;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.StoreLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageStoresTest {
    @TempDir
    Path dataDir;

    @Test
    void memoryIsTheMemoryStore() {
        try (MessageStore store = MessageStores.open("memory", dataDir, StoreLimits.defaults())) {
            assertThat(store).isInstanceOf(MemoryMessageStore.class);
        }
    }

    @Test
    void everyStoreKeepsTheChannelDeliveriesToo() {
        for (String setting : new String[] {"memory", "sqlite"}) {
            try (MessageStore store = MessageStores.open(setting, dataDir, StoreLimits.defaults())) {
                assertThat(MessageStores.notifyStore(store)).isSameAs(store);
            }
        }
        // a message store and nothing more, as a test double may be
        MessageStore withoutDeliveries = (MessageStore) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {MessageStore.class}, (proxy, method, args) -> method.getName().equals("describe") ? "plain" : null);
        assertThatThrownBy(() -> MessageStores.notifyStore(withoutDeliveries)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the message store plain keeps no channel deliveries");
    }

    @Test
    void emptyOrSqliteIsHeraldDbInTheDataDirectory() {
        for (String setting : new String[] {"", "  ", "sqlite", null}) {
            try (MessageStore store = MessageStores.open(setting, dataDir, StoreLimits.defaults())) {
                assertThat(store).isInstanceOf(JdbcMessageStore.class);
                assertThat(store.describe()).startsWith("sqlite:" + dataDir.resolve("herald.db").toAbsolutePath() + " ");
            }
        }
        assertThat(dataDir.resolve("herald.db")).isRegularFile();
    }

    @Test
    void sqliteWithAPathUsesThatFileAndCreatesItsDirectory() {
        Path file = dataDir.resolve("nested/dir/messages.db");
        try (MessageStore store = MessageStores.open("sqlite:" + file + "?synchronous=normal", dataDir, StoreLimits.defaults())) {
            assertThat(store.describe()).isEqualTo("sqlite:" + file.toAbsolutePath() + " (WAL, synchronous=NORMAL)");
        }
        assertThat(file).isRegularFile();
    }

    @Test
    void unknownSettingsAreRejectedWithTheChoices() {
        assertThatThrownBy(() -> MessageStores.open("redis://user:hunter2@cache:6379", dataDir, StoreLimits.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown message store 'redis://user:***@cache:6379'")
                .hasMessageContaining("sqlite:/path/to/file.db").hasMessageContaining("postgresql://")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> MessageStores.open("sqlite:", dataDir, StoreLimits.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a file");
        assertThatThrownBy(() -> MessageStores.open("sqlite:/tmp/x.db?synchronous=off", dataDir, StoreLimits.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("full or normal");
        assertThatThrownBy(() -> MessageStores.open("sqlite:/tmp/x.db?cache=big", dataDir, StoreLimits.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown SQLite store option 'cache=big'");
    }
}
