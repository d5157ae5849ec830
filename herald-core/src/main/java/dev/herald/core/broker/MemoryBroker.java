package dev.herald.core.broker;

/**
 * The single-node broker: hands each envelope straight to this node's listener on the publishing
 * thread. A real implementation (not a test double) used whenever Herald runs alone.
 */
public final class MemoryBroker implements Broker {
    private volatile BrokerListener listener;

    @Override
    public void start(BrokerListener listener) {
        this.listener = listener;
    }

    @Override
    public int publish(BrokerEnvelope envelope) {
        BrokerListener current = listener;
        return current == null ? 0 : current.onEnvelope(envelope);
    }

    @Override
    public void close() {
        listener = null;
    }
}
