package dev.herald.core.store;

import dev.herald.core.LogSafe;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionException;

/**
 * How a failed store call reaches an API caller: a catalogued error passes through; anything else becomes 503
 * {@code store_unavailable}, with the cause logged once here and never sent to the client.
 */
public final class StoreFailures {
    private static final Logger log = LoggerFactory.getLogger(StoreFailures.class);

    private StoreFailures() { }

    /**
     * @param operation     what failed, for the log ("publish", "notification store operation")
     * @param clientMessage the {@code store_unavailable} message the caller gets
     */
    public static HeraldException asError(Throwable e, String operation, String clientMessage) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof HeraldException h) {
            return h;
        }
        if (cause instanceof StoreUnavailableException) {
            log.warn("store unavailable: {}", LogSafe.value(cause.getMessage()));
        } else {
            log.error("{} failed in the store", operation, cause);
        }
        return ErrorCode.STORE_UNAVAILABLE.exception(clientMessage);
    }
}
