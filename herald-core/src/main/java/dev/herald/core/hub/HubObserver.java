package dev.herald.core.hub;

import dev.herald.core.session.BaseSession;

/**
 * Told when the {@link Hub} takes in or lets go of a session, or a session's topics change: the seam through which
 * a cluster keeps the user's connections visible to the other nodes. Called on the thread that changed the hub,
 * outside the hub's locks, after the change; must not block (queue the work). {@link #NONE} for a single node.
 */
public interface HubObserver {
    HubObserver NONE = new HubObserver() {
        @Override
        public void added(BaseSession session) { }

        @Override
        public void removed(BaseSession session) { }

        @Override
        public void topicsChanged(BaseSession session) { }
    };

    /** The session is registered under its user (it passed this node's per-user cap). */
    void added(BaseSession session);

    /** The session left the hub (called once per session that was added). */
    void removed(BaseSession session);

    /** The session followed or left a topic. */
    void topicsChanged(BaseSession session);
}
