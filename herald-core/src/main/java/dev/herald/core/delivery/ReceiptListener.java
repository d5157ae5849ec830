package dev.herald.core.delivery;

import dev.herald.core.store.StatusUpdate;

/** Told about every recipient status change that the store accepted (delivered, acked, read): the receipt webhook. */
@FunctionalInterface
public interface ReceiptListener {
    ReceiptListener NONE = update -> { };

    /** Must not block: called on the store's completion thread. */
    void onStatus(StatusUpdate update);
}
