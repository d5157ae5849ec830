package dev.herald.core.store;

import dev.herald.core.message.Target;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryMessageStoreTest extends MessageStoreContract {
    @Override
    protected MessageStore createStore(StoreLimits limits) {
        return new MemoryMessageStore(limits);
    }

    @Test
    void anotherStoreInstanceStartsEveryStreamInANewEpoch() {
        Target.User u1 = user("u1");
        StreamPosition before = await(store.append(List.of(toUsers("1", "u1")))).get(0).positions().get(u1);
        store.close();
        store = createStore(LIMITS); // a restart: the memory store lost the history, so the positions start again
        StreamPosition after = await(store.append(List.of(toUsers("2", "u1")))).get(0).positions().get(u1);
        assertThat(after.position()).isEqualTo(before.position()).isEqualTo(1);
        assertThat(after.epoch()).isNotEqualTo(before.epoch());
    }
}
