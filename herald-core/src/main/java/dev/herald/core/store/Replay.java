package dev.herald.core.store;

import java.util.List;

/**
 * One page of a replay.
 *
 * @param messages oldest first (in position order)
 * @param gap      {@code true} when messages after the request's cursor were lost to the TTL or the
 *                 stream cap, so the reader cannot see everything it missed
 * @param more     {@code true} when the page is full and more messages may follow, up to {@code head} (ask again
 *                 after the last position, with {@link ReplayRequest#upTo()} the head's position)
 * @param head     how far this read went in the stream: the stream's last position when it read (in the same
 *                 snapshot as the page), or the request's {@link ReplayRequest#upTo()} when that is lower. Every
 *                 message of the stream at or below it that matches the request is in this page or a later one
 *                 (or reported lost by {@code gap}); nothing above it is. {@code null} when the stream has no
 *                 position yet (never written to: position 0, in an epoch nobody knows yet).
 */
public record Replay(List<StoredMessage> messages, boolean gap, boolean more, StreamPosition head) {
    public Replay {
        messages = List.copyOf(messages);
    }
}
