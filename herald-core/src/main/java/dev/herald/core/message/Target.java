package dev.herald.core.message;

/** Who a message goes to. */
public sealed interface Target permits Target.User, Target.Topic, Target.Everyone {

    /** Every connection of one user. */
    record User(String userId) implements Target { }

    /** Every connection subscribed to a topic. */
    record Topic(String name) implements Target { }

    /** Every authenticated connection on every node. */
    record Everyone() implements Target {
        public static final Everyone INSTANCE = new Everyone();
    }
}
