package dev.herald.core.broker;

import dev.herald.core.message.Message;
import dev.herald.core.message.Target;

import java.util.List;

/** A message and the targets it goes to: what travels between nodes. */
public record Delivery(List<Target> targets, Message message) {
    public Delivery {
        targets = List.copyOf(targets);
    }
}
