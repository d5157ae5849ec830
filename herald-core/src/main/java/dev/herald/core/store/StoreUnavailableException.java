package dev.herald.core.store;

/**
 * The store could not do what was asked: database down or unreachable, disk full, closed. Nothing
 * of the failed operation was committed; callers answer 503 {@code store_unavailable} and retry later.
 */
public final class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreUnavailableException(String message) {
        super(message);
    }
}
