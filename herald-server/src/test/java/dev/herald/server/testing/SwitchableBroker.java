package dev.herald.server.testing;

import dev.herald.core.broker.Broker;
import dev.herald.core.broker.BrokerListener;
import dev.herald.core.broker.BrokerEnvelope;
import dev.herald.core.broker.MemoryBroker;

import java.util.concurrent.atomic.AtomicLong;

/** A real {@link MemoryBroker} with a failure switch: when set, publish throws as a broken broker would. */
public final class SwitchableBroker implements Broker {
    private final MemoryBroker delegate = new MemoryBroker();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean failing;

    public void failPublishes(boolean failing) {
        this.failing = failing;
    }

    public long failures() {
        return failures.get();
    }

    @Override
    public void start(BrokerListener listener) {
        delegate.start(listener);
    }

    @Override
    public int publish(BrokerEnvelope envelope) {
        if (failing) {
            failures.incrementAndGet();
            throw new IllegalStateException("broker down (test switch)");
        }
        return delegate.publish(envelope);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
