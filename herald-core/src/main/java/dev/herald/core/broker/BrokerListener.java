package dev.herald.core.broker;

/** Receives every delivery published on any node; each node's hub implements it. */
@FunctionalInterface
public interface BrokerListener {
    /** Fans the delivery out to this node's sessions; returns how many accepted it. Must not block. */
    int onDelivery(Delivery delivery);
}
