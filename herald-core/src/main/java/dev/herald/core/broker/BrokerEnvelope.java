package dev.herald.core.broker;

import dev.herald.core.message.Message;
import dev.herald.core.message.Target;

import java.util.List;

/**
 * A message and the targets it goes to, as {@link Broker#publish} takes it: what travels between nodes. Named for the
 * broker, apart from a delivery to a socket ({@code Session}) and a delivery through a channel ({@code notify}).
 */
public record BrokerEnvelope(List<Target> targets, Message message) {
    public BrokerEnvelope {
        targets = List.copyOf(targets);
    }
}
