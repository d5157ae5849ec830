package dev.herald.core.broker;

/** Receives every envelope published on any node; each node's hub implements it. */
@FunctionalInterface
public interface BrokerListener {
    /** Fans the envelope's message out to its targets among this node's sessions; returns how many accepted it. Must not block. */
    int onEnvelope(BrokerEnvelope envelope);
}
