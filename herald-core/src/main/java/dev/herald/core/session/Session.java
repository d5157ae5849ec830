package dev.herald.core.session;

import java.time.Instant;

/**
 * One client connection as the core sees it: an id, the user it is bound to, and two verbs,
 * {@link #send} and {@link #close}. The transport owns reading, ping/pong and deadlines.
 *
 * <p>Thread safety: every method may be called from any thread. {@code send} never blocks: it
 * enqueues onto a bounded per-connection queue and returns; when the queue is full the session
 * closes itself with {@link CloseReason#SLOW_CONSUMER}, so one slow reader never holds up a
 * publisher or another user.
 */
public interface Session {

    /** Unique id of this connection on this node (shown in presence, usable for a targeted kick). */
    String id();

    /** The user this connection is bound to; {@code null} until it has authenticated. */
    String userId();

    /** Which wire protocol the connection speaks; decides how messages are framed for it. */
    Protocol protocol();

    /** Remote address as {@code host:port}, for presence and logs. */
    String remoteAddress();

    Instant connectedAt();

    /**
     * The transport the connection runs over, as presence, stats and metrics name it: {@code "websocket"} (the
     * default) or {@code "sse"} (Server-Sent Events, {@code GET /api/v1/events}).
     */
    default String transport() {
        return "websocket";
    }

    /**
     * Queues one text frame (UTF-8 bytes) for the client. Returns {@code false} when the frame was
     * not queued: the session is closed, or its queue was full (and it is now closing as slow).
     * The caller must not modify {@code frame} afterwards: it may be shared by many sessions.
     */
    boolean send(byte[] frame);

    /** Closes the connection with a documented code. Idempotent; never blocks. */
    void close(CloseReason reason);

    /** Whether {@link #close} was called or the peer went away. */
    boolean isClosed();

    /** The wire protocols a connection can speak. */
    enum Protocol {
        /** Herald JSON envelopes ({@code docs/protocol.md}). */
        HERALD("herald"),
        /** The seed article's protocol: {"uid"} login, then raw message bodies. */
        SEED("seed"),
        /**
         * Pusher protocol 7 (a signed-in Pusher connection): it is handed Herald envelopes like {@link #HERALD}, and its
         * transport turns them into Pusher events.
         */
        PUSHER("pusher");

        private final String wireName;

        Protocol(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }
}
