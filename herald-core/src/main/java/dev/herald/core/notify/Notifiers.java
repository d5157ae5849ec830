package dev.herald.core.notify;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The channels this server can deliver through, by name. {@code ws} (the in-app channel: hub and inbox)
 * is always there and has no notifier; every other channel is one {@link Notifier}, registered by the
 * composition root when it is configured.
 */
public final class Notifiers {
    /** Herald's own in-app channel: the WebSocket hub and the durable inbox. */
    public static final String WS = "ws";

    private final Map<String, Notifier> byChannel = new LinkedHashMap<>();

    public Notifiers register(Notifier notifier) {
        String channel = notifier.channel();
        if (WS.equals(channel) || byChannel.putIfAbsent(channel, notifier) != null) {
            throw new IllegalArgumentException("channel '" + channel + "' is already registered");
        }
        return this;
    }

    /** The notifier of {@code channel}, or {@code null} when it is not registered (or is {@code ws}). */
    public Notifier get(String channel) {
        return byChannel.get(channel);
    }

    /** Registered channel names, {@code ws} excluded, in registration order. */
    public Set<String> channels() {
        return Collections.unmodifiableSet(byChannel.keySet());
    }

    public Collection<Notifier> all() {
        return Collections.unmodifiableCollection(byChannel.values());
    }
}
