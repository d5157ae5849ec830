package dev.herald.server.pusher;

import dev.herald.core.hub.Hub;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * This node's Pusher channels: who subscribed each one, the members of presence channels, and the last event of
 * cache channels. A channel exists while it has a subscriber; its first subscriber joins it to the Herald topic of
 * the same name through a {@link TopicBridge}, its last one leaves.
 *
 * <p>Presence members are users, not connections: a user's first connection to a channel makes it a member
 * ({@code member_added} to the others), its last one ends that ({@code member_removed}); the connections in between
 * change nothing anyone sees.
 *
 * <p>Thread-safe: every change of a channel runs inside {@link ConcurrentHashMap#compute} on its entry, so a
 * subscription and the channel's removal never interleave; frames are sent after it, outside the lock.
 */
final class PusherChannels {
    private final Hub hub;
    private final int maxPresenceMembers;
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    /** How long a cache channel keeps its last event: Pusher's 30 minutes. */
    static final long CACHE_TTL_MILLIS = 30 * 60 * 1000;
    /** Last event of each cache channel, kept while the channel is empty too, until {@link #CACHE_TTL_MILLIS}. */
    private final Map<String, Cached> cached = new ConcurrentHashMap<>();

    private record Cached(PusherEvent event, long storedAtMillis) { }

    PusherChannels(Hub hub, int maxPresenceMembers) {
        this.hub = hub;
        this.maxPresenceMembers = maxPresenceMembers;
    }

    /** One presence member: the user's info and how many of its connections subscribed. */
    private record Member(JsonObject info, int connections) { }

    private static final class Channel {
        final Set<PusherConnection> subscribers = ConcurrentHashMap.newKeySet();
        /** Insertion-ordered, so the presence list reads in the order members came. Guarded by the map entry. */
        final Map<String, Member> members = new LinkedHashMap<>();
        final TopicBridge bridge;

        Channel(TopicBridge bridge) {
            this.bridge = bridge;
        }
    }

    /** What a subscription did: refused (full), joined, and whether it made its user a new presence member. */
    record Joined(boolean refused, boolean newMember, JsonObject presence, boolean occupied) { }

    /** What an unsubscription did: whether its user stopped being a member, and whether the channel is now empty. */
    record Left(boolean memberLeft, boolean vacated) { }

    /**
     * Adds {@code connection} to {@code channel}; {@code memberId} / {@code memberInfo} for presence channels,
     * {@code null} otherwise. Returns the presence snapshot to send in {@code subscription_succeeded}.
     */
    Joined subscribe(String channel, PusherConnection connection, String memberId, JsonObject memberInfo) {
        Joined[] result = new Joined[1];
        channels.compute(channel, (name, existing) -> {
            Channel c = existing;
            if (c == null) {
                c = new Channel(new TopicBridge(name, this));
                hub.subscribe(c.bridge, name);
            }
            boolean newMember = false;
            if (memberId != null) {
                Member member = c.members.get(memberId);
                if (member == null && c.members.size() >= maxPresenceMembers) {
                    result[0] = new Joined(true, false, null, false);
                    return existing == null ? dropBridge(c) : c;
                }
                newMember = member == null;
                c.members.put(memberId, new Member(memberInfo, member == null ? 1 : member.connections + 1));
            }
            c.subscribers.add(connection);
            result[0] = new Joined(false, newMember, memberId == null ? null : presence(c), existing == null);
            return c;
        });
        return result[0];
    }

    /** Removes {@code connection}: whether its user stopped being a member, and whether the channel is now empty. */
    Left unsubscribe(String channel, PusherConnection connection, String memberId) {
        boolean[] memberLeft = new boolean[1];
        boolean[] vacated = new boolean[1];
        channels.computeIfPresent(channel, (name, c) -> {
            if (!c.subscribers.remove(connection)) {
                return c;
            }
            if (memberId != null) {
                Member member = c.members.get(memberId);
                if (member != null && member.connections > 1) {
                    c.members.put(memberId, new Member(member.info, member.connections - 1));
                } else if (member != null) {
                    c.members.remove(memberId);
                    memberLeft[0] = true;
                }
            }
            vacated[0] = c.subscribers.isEmpty();
            return vacated[0] ? dropBridge(c) : c;
        });
        return new Left(memberLeft[0], vacated[0]);
    }

    private Channel dropBridge(Channel c) {
        hub.remove(c.bridge); // unsubscribes it from its topic
        return null;
    }

    private static JsonObject presence(Channel c) {
        JsonArray ids = new JsonArray();
        JsonObject hash = new JsonObject();
        c.members.forEach((id, member) -> {
            ids.add(id);
            hash.put(id, member.info);
        });
        return new JsonObject().put("presence", new JsonObject().put("ids", ids).put("hash", hash).put("count", ids.size()));
    }

    /** Sends an event to the channel's subscribers on this node, but the excluded socket; remembers it for a cache channel. */
    void deliver(String channel, PusherEvent event) {
        remember(channel, event);
        deliverInternal(channel, event);
    }

    /** Sends an event to the channel's subscribers on this node, but the excluded socket, without remembering it. */
    void deliverInternal(String channel, PusherEvent event) {
        Channel c = channels.get(channel);
        if (c == null) {
            return;
        }
        // one frame for every subscriber: the bytes are shared, each subscriber's drain writes them on its event loop
        byte[] frame = event.frame(channel).getBytes(StandardCharsets.UTF_8);
        for (PusherConnection connection : c.subscribers) {
            if (!connection.socketId().equals(event.excludeSocket())) {
                connection.sendOn(channel, frame);
            }
        }
    }

    /** Whether the event is Pusher's own ({@code pusher:…}, {@code pusher_internal:…}): never a cache channel's last event. */
    static boolean internal(PusherEvent event) {
        return event.name().startsWith("pusher:") || event.name().startsWith("pusher_internal:");
    }

    /** Records the last event of a cache channel published while no one on this node subscribed it. */
    void remember(String channel, PusherEvent event) {
        if (ChannelNames.isCache(channel) && !internal(event)) {
            cached.put(channel, new Cached(event, System.currentTimeMillis()));
        }
    }

    /** The cache channel's last event, or {@code null} when it has none or it is older than {@link #CACHE_TTL_MILLIS}. */
    PusherEvent cachedEvent(String channel) {
        Cached c = cached.get(channel);
        if (c == null) {
            return null;
        }
        if (System.currentTimeMillis() - c.storedAtMillis() > CACHE_TTL_MILLIS) {
            cached.remove(channel, c);
            return null;
        }
        return c.event();
    }

    /** Forgets cached events past {@link #CACHE_TTL_MILLIS}, so channels never read again do not stay in memory. */
    void expireCache() {
        long now = System.currentTimeMillis();
        cached.entrySet().removeIf(e -> now - e.getValue().storedAtMillis() > CACHE_TTL_MILLIS);
    }

    /** Subscriptions (connections) of the channel on this node; 0 when it is not occupied. */
    int subscriptionCount(String channel) {
        Channel c = channels.get(channel);
        return c == null ? 0 : c.subscribers.size();
    }

    /** The presence members' ids, in the order they came. */
    List<String> userIds(String channel) {
        List<String> ids = new ArrayList<>();
        channels.computeIfPresent(channel, (name, c) -> {
            ids.addAll(c.members.keySet());
            return c;
        });
        return ids;
    }

    /** The presence members of the channel on this node with their info, in the order they came. */
    Map<String, JsonObject> members(String channel) {
        Map<String, JsonObject> out = new LinkedHashMap<>();
        channels.computeIfPresent(channel, (name, c) -> {
            c.members.forEach((id, member) -> out.put(id, member.info));
            return c;
        });
        return out;
    }

    /** Occupied channels whose names pass {@code filter}. */
    List<String> occupied(Predicate<String> filter) {
        List<String> names = new ArrayList<>();
        for (String name : channels.keySet()) {
            if (filter.test(name)) {
                names.add(name);
            }
        }
        names.sort(null);
        return names;
    }
}
