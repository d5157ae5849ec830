package dev.herald.server.store;

import dev.herald.core.message.MessageIds;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoredMessage;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * The victim of {@code SqliteMessageStoreTest}'s crash test, run in its own JVM: appends messages to user
 * {@code crash} with 50 in flight and prints each id once its append completed (the promise a 2xx makes),
 * until it is killed.
 */
public final class SqliteCrashWriter {
    public static void main(String[] args) throws InterruptedException {
        JdbcMessageStore store = JdbcMessageStore.sqlite(Path.of(args[0]), StoreLimits.defaults(), JdbcStoreOptions.defaults());
        MessageIds ids = new MessageIds();
        Semaphore inFlight = new Semaphore(50);
        System.out.println("ready");
        System.out.flush();
        while (true) {
            inFlight.acquire();
            long now = System.currentTimeMillis();
            StoredMessage m = new StoredMessage(ids.next(now), now, Long.MAX_VALUE / 2, "{\"n\":1}", List.of("crash"),
                    List.of(), false, null);
            store.append(List.of(m)).whenComplete((r, e) -> {
                if (e == null) {
                    synchronized (System.out) {
                        System.out.println(m.id());
                        System.out.flush();
                    }
                }
                inFlight.release();
            });
        }
    }
}
