package dev.herald.server.testing;

import dev.herald.core.store.Appended;
import dev.herald.core.store.Maintenance;
import dev.herald.core.store.MemoryMessageStore;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.Receipt;
import dev.herald.core.store.Replay;
import dev.herald.core.store.ReplayRequest;
import dev.herald.core.store.StatusUpdate;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoreUnavailableException;
import dev.herald.core.store.StoredMessage;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A real {@link MemoryMessageStore} with a failure switch: when set, every operation fails with
 * {@link StoreUnavailableException} and commits nothing, as a database that went away would.
 */
public final class SwitchableStore implements MessageStore {
    private final MemoryMessageStore delegate;
    private volatile boolean failing;

    public SwitchableStore(StoreLimits limits) {
        this.delegate = new MemoryMessageStore(limits);
    }

    public SwitchableStore() {
        this(StoreLimits.defaults());
    }

    public void fail(boolean failing) {
        this.failing = failing;
    }

    private <T> CompletableFuture<T> orFail(java.util.function.Supplier<CompletableFuture<T>> op) {
        return failing ? CompletableFuture.failedFuture(new StoreUnavailableException("store down (test switch)")) : op.get();
    }

    @Override
    public CompletableFuture<List<Appended>> append(List<StoredMessage> messages) {
        return orFail(() -> delegate.append(messages));
    }

    @Override
    public CompletableFuture<Replay> replay(ReplayRequest request, long now) {
        return orFail(() -> delegate.replay(request, now));
    }

    @Override
    public CompletableFuture<Integer> updateStatus(List<StatusUpdate> updates) {
        return orFail(() -> delegate.updateStatus(updates));
    }

    @Override
    public CompletableFuture<Optional<Receipt>> receipt(String messageId, long now) {
        return orFail(() -> delegate.receipt(messageId, now));
    }

    @Override
    public CompletableFuture<Maintenance> maintain(long now) {
        return orFail(() -> delegate.maintain(now));
    }

    @Override
    public String describe() {
        return "switchable memory store (tests)";
    }

    @Override
    public void close() {
        delegate.close();
    }
}
