package dev.herald.core.protocol;

import java.util.List;

/**
 * A frame a client sent, reduced to the fields Herald reads. Unknown fields are ignored so newer
 * clients can talk to older servers.
 *
 * @param type   {@code auth}, {@code subscribe}, {@code unsubscribe}, {@code ping}; {@code null} for the seed's {@code {"uid":…}}
 * @param since  where to replay from ({@code auth}: the inbox, {@code subscribe}: the topics): the last message id the
 *               client saw, or the last {@code <pos>@<epoch>} of the stream
 * @param sinceAll {@code auth} only: the last {@code <pos>@<epoch>} of the broadcast log the client saw
 * @param id     a message id ({@code ack}, {@code read})
 * @param ids    several message ids ({@code ack}, {@code read})
 * @param ref    optional client correlation id, echoed in the reply
 */
public record ClientFrame(String type, String token, String uid, String since, String sinceAll, List<String> topics, String id,
                          List<String> ids, String ref) {
    public ClientFrame {
        topics = topics == null ? List.of() : List.copyOf(topics);
        ids = ids == null ? List.of() : List.copyOf(ids);
    }

    public ClientFrame(String type, String token, String uid, String since, List<String> topics, String id, String ref) {
        this(type, token, uid, since, null, topics, id, null, ref);
    }

    /** The message ids of an {@code ack} or {@code read}: {@code id} and {@code ids} together. */
    public List<String> messageIds() {
        if (id == null) {
            return ids;
        }
        if (ids.isEmpty()) {
            return List.of(id);
        }
        List<String> all = new java.util.ArrayList<>(ids.size() + 1);
        all.add(id);
        all.addAll(ids);
        return all;
    }

    /** The seed article's login frame: an object with a uid and no type. */
    public boolean isSeedLogin() {
        return type == null && uid != null;
    }
}
