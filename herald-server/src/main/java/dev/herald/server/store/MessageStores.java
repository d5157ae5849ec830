package dev.herald.server.store;

import dev.herald.core.store.MemoryMessageStore;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.StoreLimits;

import java.nio.file.Path;

/** TEMPORARY: replaced by the JDBC factory when the store branch is merged. */
public final class MessageStores {
    private MessageStores() { }

    public static MessageStore open(String storeUrl, Path dataDir, StoreLimits limits) {
        return new MemoryMessageStore(limits);
    }
}
