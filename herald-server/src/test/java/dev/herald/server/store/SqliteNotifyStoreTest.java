package dev.herald.server.store;

import dev.herald.core.store.MessageStore;
import dev.herald.core.store.StoreLimits;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class SqliteNotifyStoreTest extends JdbcNotifyStoreContract {
    @TempDir
    Path dir;

    @Override
    protected MessageStore createStore() {
        return openAnother();
    }

    @Override
    protected JdbcMessageStore openAnother() {
        return JdbcMessageStore.sqlite(dir.resolve("herald.db"), StoreLimits.defaults(), JdbcStoreOptions.defaults());
    }
}
