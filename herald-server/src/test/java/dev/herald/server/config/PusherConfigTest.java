package dev.herald.server.config;

import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code pusher.*}: off by default, all three of id, key and secret or none, the secret never printed. */
class PusherConfigTest {
    private static HeraldConfig build(Map<Setting, String> flags) {
        return new ConfigSources().flags(new EnumMap<>(flags)).build();
    }

    private static Map<Setting, String> app() {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.PUSHER_APP_ID, "42");
        flags.put(Setting.PUSHER_KEY, "app-key");
        flags.put(Setting.PUSHER_SECRET, "a-secret-of-some-length");
        return flags;
    }

    @Test
    void by_default_there_is_no_pusher_endpoint() {
        PusherConfig pusher = HeraldConfig.defaults().pusher();
        assertThat(pusher.enabled()).isFalse();
        assertThat(pusher).isEqualTo(PusherConfig.disabled());
        assertThat(Setting.PUSHER_ACTIVITY_TIMEOUT.defaultValue()).isEqualTo(PusherConfig.DEFAULT_ACTIVITY_TIMEOUT.toSeconds() + "s");
        assertThat(Setting.PUSHER_MAX_PRESENCE_MEMBERS.defaultValue()).isEqualTo(Integer.toString(PusherConfig.DEFAULT_MAX_PRESENCE_MEMBERS));
    }

    @Test
    void an_app_id_with_key_and_secret_enables_it_with_pushers_limits() {
        PusherConfig pusher = build(app()).pusher();
        assertThat(pusher.enabled()).isTrue();
        assertThat(pusher.appId()).isEqualTo("42");
        assertThat(pusher.key()).isEqualTo("app-key");
        assertThat(pusher.clientEvents()).isTrue();
        assertThat(pusher.maxEventBytes()).isEqualTo(10 * 1024);
        assertThat(pusher.activityTimeout()).hasSeconds(120);
    }

    @Test
    void a_half_configured_app_stops_the_start() {
        Map<Setting, String> noSecret = app();
        noSecret.remove(Setting.PUSHER_SECRET);
        assertThatThrownBy(() -> build(noSecret)).isInstanceOf(ConfigException.class).hasMessageStartingWith("pusher.secret:");
        Map<Setting, String> noKey = app();
        noKey.remove(Setting.PUSHER_KEY);
        assertThatThrownBy(() -> build(noKey)).isInstanceOf(ConfigException.class).hasMessageStartingWith("pusher.key:");
        Map<Setting, String> noId = app();
        noId.remove(Setting.PUSHER_APP_ID);
        assertThatThrownBy(() -> build(noId)).isInstanceOf(ConfigException.class).hasMessageStartingWith("pusher.app-id:");
        Map<Setting, String> shortSecret = app();
        shortSecret.put(Setting.PUSHER_SECRET, "short");
        assertThatThrownBy(() -> build(shortSecret)).isInstanceOf(ConfigException.class).hasMessageStartingWith("pusher.secret:");
        Map<Setting, String> badKey = app();
        badKey.put(Setting.PUSHER_KEY, "a key/with spaces");
        assertThatThrownBy(() -> build(badKey)).isInstanceOf(ConfigException.class).hasMessageStartingWith("pusher.key:");
    }

    @Test
    void the_secret_is_never_printed() {
        HeraldConfig config = build(app());
        assertThat(config.describe()).doesNotContain("a-secret-of-some-length").contains("pusher.secret = ******** (set)");
        assertThat(config.pusher().toString()).doesNotContain("a-secret-of-some-length");
    }
}
