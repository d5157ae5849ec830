package dev.herald.core.message;

/**
 * Who a message goes to and, the same value, the stream it is kept and numbered in. One target names an audience
 * and its log together:
 * <ul>
 *   <li>{@link User}: every connection of the user, and the user's inbox;</li>
 *   <li>{@link Topic}: every connection subscribed to the topic, and the topic's log;</li>
 *   <li>{@link Everyone}: every authenticated connection, and the broadcast log.</li>
 * </ul>
 * The two meanings are kept in one type on purpose: a message goes live to a target and takes a position in the
 * same target's stream ({@link Message#position}), and a connection that follows a target reads that stream's replay
 * and drops live messages at or below the replay's head in it (one cursor per target, {@code StreamCursors}).
 * Where a value is used in its log meaning the parameter is named {@code stream} ({@code ReplayRequest#stream},
 * {@code StreamPosition}); in its audience meaning {@code targets} ({@code BrokerEnvelope#targets}).
 *
 * <p>Not a channel destination: the explicit webhook/e-mail addresses of a request are
 * {@link dev.herald.core.notify.Destination}s ({@code NotifyRequest#targets}), and the Java SDK's {@code Target} is
 * one of those.
 */
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
