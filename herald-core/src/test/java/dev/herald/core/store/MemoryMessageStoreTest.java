package dev.herald.core.store;

class MemoryMessageStoreTest extends MessageStoreContract {
    @Override
    protected MessageStore createStore(StoreLimits limits) {
        return new MemoryMessageStore(limits);
    }
}
