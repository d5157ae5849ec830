package dev.herald.core.broker;

/**
 * Fan-out of {@link BrokerEnvelope}s (a message and its targets) between Herald nodes.
 *
 * <p>Guarantee: at most once. An envelope published while a node is unreachable is not replayed to
 * it; durability is the message store's job, not the broker's. Order is preserved per publishing
 * node and target.
 */
public interface Broker extends AutoCloseable {

    /** Starts delivering to {@code listener} (this node's hub). Called once, before any publish. */
    void start(BrokerListener listener);

    /**
     * Publishes to every node, this one included. Returns the number of sessions on <em>this</em>
     * node that accepted it; other nodes' deliveries happen asynchronously and are not counted.
     */
    int publish(BrokerEnvelope envelope);

    /** Stops delivering; later publishes are dropped. */
    @Override
    void close();
}
