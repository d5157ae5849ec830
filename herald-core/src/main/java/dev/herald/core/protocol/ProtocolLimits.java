package dev.herald.core.protocol;

import java.time.Duration;

/**
 * Per-connection protocol limits.
 *
 * @param maxTopicsPerConnection topics one connection may follow
 * @param maxBadFrames           invalid frames tolerated (each answered with an error frame) before closing with 4006
 * @param heartbeat              interval of server pings, announced in {@code welcome}
 * @param authTimeout            how long a connection may stay unauthenticated
 */
public record ProtocolLimits(int maxTopicsPerConnection, int maxBadFrames, Duration heartbeat, Duration authTimeout) {
    public static final int DEFAULT_MAX_TOPICS_PER_CONNECTION = 100;
    public static final int DEFAULT_MAX_BAD_FRAMES = 10;
}
