package dev.herald.server.pusher;

import dev.herald.core.message.Topics;

import java.util.regex.Pattern;

/**
 * Pusher channel names and what their prefix makes them. A Pusher channel is the Herald topic of the same name, so a
 * name must satisfy both: Pusher's characters ({@code A-Z a-z 0-9 _ - = @ , . ;}, at most 164) and Herald's topic
 * names ({@code A-Z a-z 0-9 _ - . : / @}, at most 128). The names both accept — every Laravel and pusher-js
 * convention ({@code private-App.Models.User.1}, {@code presence-chat.42}) — work; {@code = , ;} and names longer than
 * 128 are refused. {@code #server-to-user-{id}} is the one {@code #} name: a signed-in user's own channel.
 */
public final class ChannelNames {
    public static final String USER_PREFIX = "#server-to-user-";
    private static final Pattern PUSHER = Pattern.compile("[A-Za-z0-9_\\-=@,.;]{1,164}");

    /** What a channel is, by its prefix. */
    public enum Kind {
        PUBLIC, PRIVATE, PRESENCE, USER;

        /** Private and presence channels need a signed auth to subscribe, and carry client events. */
        public boolean authorised() {
            return this == PRIVATE || this == PRESENCE;
        }
    }

    private ChannelNames() { }

    /** Whether {@code name} is a channel Herald serves (see the class comment); the user channel is checked on its own. */
    public static boolean isValid(String name) {
        return name != null && PUSHER.matcher(name).matches() && Topics.isValid(name);
    }

    public static Kind kind(String name) {
        if (name.startsWith(USER_PREFIX)) {
            return Kind.USER;
        }
        if (name.startsWith("presence-")) {
            return Kind.PRESENCE;
        }
        if (name.startsWith("private-")) {
            return Kind.PRIVATE; // private-encrypted- too: the server only relays the ciphertext its SDKs made
        }
        return Kind.PUBLIC;
    }

    /** Cache channels keep their last event for the next subscriber. */
    public static boolean isCache(String name) {
        return name.startsWith("cache-") || name.startsWith("private-cache-") || name.startsWith("presence-cache-")
                || name.startsWith("private-encrypted-cache-");
    }

    /** Client events are not allowed on encrypted channels: their data would reach others unencrypted. */
    public static boolean isEncrypted(String name) {
        return name.startsWith("private-encrypted-");
    }

    /** The user id of a {@code #server-to-user-{id}} channel. */
    public static String userOf(String name) {
        return name.substring(USER_PREFIX.length());
    }
}
