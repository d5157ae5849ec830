package dev.herald.server.pusher;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Channel names: Pusher's rules where they meet Herald's topic names, and what a prefix makes a channel. */
class ChannelNamesTest {
    @Test
    void laravel_and_pusher_js_names_are_accepted() {
        assertThat(ChannelNames.isValid("private-App.Models.User.1")).isTrue();
        assertThat(ChannelNames.isValid("presence-chat.42")).isTrue();
        assertThat(ChannelNames.isValid("private-encrypted-cache-x_y@z")).isTrue();
        assertThat(ChannelNames.isValid("orders")).isTrue();
    }

    @Test
    void names_outside_either_rule_are_refused() {
        assertThat(ChannelNames.isValid("")).isFalse();
        assertThat(ChannelNames.isValid("with space")).isFalse();
        assertThat(ChannelNames.isValid("#server-to-user-1")).as("# is reserved for the user channel").isFalse();
        assertThat(ChannelNames.isValid("a/b")).as("Pusher does not allow /").isFalse();
        assertThat(ChannelNames.isValid("a=b")).as("Herald topics do not allow =").isFalse();
        assertThat(ChannelNames.isValid("x".repeat(129))).isFalse();
    }

    @Test
    void the_prefix_decides_the_kind() {
        assertThat(ChannelNames.kind("orders")).isEqualTo(ChannelNames.Kind.PUBLIC);
        assertThat(ChannelNames.kind("private-orders")).isEqualTo(ChannelNames.Kind.PRIVATE);
        assertThat(ChannelNames.kind("private-encrypted-orders")).isEqualTo(ChannelNames.Kind.PRIVATE);
        assertThat(ChannelNames.kind("presence-room")).isEqualTo(ChannelNames.Kind.PRESENCE);
        assertThat(ChannelNames.kind("#server-to-user-7")).isEqualTo(ChannelNames.Kind.USER);
        assertThat(ChannelNames.userOf("#server-to-user-7")).isEqualTo("7");
        assertThat(ChannelNames.isCache("presence-cache-room")).isTrue();
        assertThat(ChannelNames.isCache("private-orders")).isFalse();
        assertThat(ChannelNames.isEncrypted("private-encrypted-orders")).isTrue();
    }
}
