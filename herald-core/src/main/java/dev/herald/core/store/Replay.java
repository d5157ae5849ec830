package dev.herald.core.store;

import java.util.List;

/**
 * One page of a replay.
 *
 * @param messages oldest first
 * @param gap      {@code true} when messages after the request's {@code afterId} were lost to the TTL or the
 *                 inbox cap, so the reader cannot see everything it missed
 * @param more     {@code true} when the page is full and more messages may follow (ask again after the last id)
 */
public record Replay(List<StoredMessage> messages, boolean gap, boolean more) {
    public Replay {
        messages = List.copyOf(messages);
    }
}
