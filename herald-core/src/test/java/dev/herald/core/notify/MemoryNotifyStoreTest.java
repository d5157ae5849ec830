package dev.herald.core.notify;

import dev.herald.core.store.MemoryMessageStore;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.StoreLimits;

class MemoryNotifyStoreTest extends NotifyStoreContract {
    @Override
    protected MessageStore createStore() {
        return new MemoryMessageStore(StoreLimits.defaults());
    }
}
