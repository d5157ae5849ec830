package dev.herald.core.protocol;

import java.util.List;

/**
 * A frame a client sent, reduced to the fields Herald reads. Unknown fields are ignored so newer
 * clients can talk to older servers.
 *
 * @param type   {@code auth}, {@code subscribe}, {@code unsubscribe}, {@code ping}; {@code null} for the seed's {@code {"uid":…}}
 * @param ref    optional client correlation id, echoed in the reply
 */
public record ClientFrame(String type, String token, String uid, String since, List<String> topics, String id, String ref) {
    public ClientFrame {
        topics = topics == null ? List.of() : List.copyOf(topics);
    }

    /** The seed article's login frame: an object with a uid and no type. */
    public boolean isSeedLogin() {
        return type == null && uid != null;
    }
}
