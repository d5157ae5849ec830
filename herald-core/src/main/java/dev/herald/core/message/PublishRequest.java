package dev.herald.core.message;

import java.util.ArrayList;
import java.util.List;

/**
 * What a publisher asked for: recipients and the data, before Herald assigns an id.
 *
 * @param users    user ids (each gets the message on all of its connections)
 * @param topics   topic names (each subscribed connection gets it)
 * @param all      every connection
 * @param dataJson the data as JSON text, exactly as the publisher wrote it
 * @param rawBody  what seed-protocol connections receive, byte for byte
 */
public record PublishRequest(List<String> users, List<String> topics, boolean all, String dataJson, byte[] rawBody) {
    public PublishRequest {
        users = List.copyOf(users);
        topics = List.copyOf(topics);
    }

    /** The seed's {@code /send?uid=&message=}: one user, a plain-text body. */
    public static PublishRequest toUser(String userId, String dataJson, byte[] rawBody) {
        return new PublishRequest(List.of(userId), List.of(), false, dataJson, rawBody);
    }

    public List<Target> targets() {
        if (all) {
            return List.of(Target.Everyone.INSTANCE);
        }
        List<Target> targets = new ArrayList<>(users.size() + topics.size());
        for (String u : users) {
            targets.add(new Target.User(u));
        }
        for (String t : topics) {
            targets.add(new Target.Topic(t));
        }
        return targets;
    }
}
