package dev.herald.core.broker;

/** Receives every envelope published on any node; each node's hub implements it. */
@FunctionalInterface
public interface BrokerListener {
    /** Fans the envelope's message out to its targets among this node's sessions; returns how many accepted it. Must not block. */
    int onEnvelope(BrokerEnvelope envelope);

    /**
     * The broker receives other nodes' envelopes again after a time it could not (its subscription was lost and is
     * back): envelopes of that time are lost to this node, so every session should catch up from the store by position.
     * Called on the broker's thread; must not block. Nothing by default (a broker that never loses envelopes).
     */
    default void resubscribed() {
    }
}
