package dev.herald.core.notify;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A user's addresses on the notification channels: at most one {@link Destination} per channel
 * (e-mail address, webhook URL and secret, robot webhooks). A channel the endpoint declared gone
 * (HTTP 410) is disabled until the contacts are written again.
 *
 * @param destinations channel name → destination
 * @param disabled     channel name → why it was disabled (e.g. {@code "HTTP 410 Gone"})
 * @param updatedAt    when they were last written, ms since the epoch
 */
public record Contacts(Map<String, Destination> destinations, Map<String, String> disabled, long updatedAt) {
    /** Both maps are sorted by channel name, so the API lists contacts in the same order on every run. */
    public Contacts {
        destinations = Collections.unmodifiableMap(new TreeMap<>(destinations));
        disabled = Collections.unmodifiableMap(new TreeMap<>(disabled));
    }

    /** The destination to use for {@code channel}, or {@code null} when there is none or it is disabled. */
    public Destination usable(String channel) {
        return disabled.containsKey(channel) ? null : destinations.get(channel);
    }
}
