package dev.herald.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Merging of defaults, YAML file, HERALD_* environment and flags, in that order of precedence. */
class ConfigSourcesTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        return Files.writeString(dir.resolve("herald.yaml"), text);
    }

    @Test
    void flags_beat_environment_beat_file_beat_defaults() throws IOException {
        Path file = yaml("""
                port: 1111
                node-id: from-file
                log:
                  level: warn
                ws:
                  heartbeat: 5s
                """);
        Map<String, String> env = Map.of("HERALD_PORT", "2222", "HERALD_NODE_ID", "from-env");

        HeraldConfig config = new ConfigSources().file(file).environment(env).flags(Map.of(Setting.PORT, "3333")).build();

        assertThat(config.port()).isEqualTo(3333);
        assertThat(config.nodeId()).isEqualTo("from-env");
        assertThat(config.logLevel()).isEqualTo("WARN");
        assertThat(config.heartbeat()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.origins())
                .containsEntry(Setting.PORT, "flag --port")
                .containsEntry(Setting.NODE_ID, "env HERALD_NODE_ID")
                .containsEntry(Setting.LOG_LEVEL, file.toString())
                .containsEntry(Setting.HOST, "default");
    }

    @Test
    void environment_beats_the_file_even_when_applied_in_that_order_only() throws IOException {
        Path file = yaml("port: 1111\n");

        assertThat(new ConfigSources().file(file).build().port()).isEqualTo(1111);
        assertThat(new ConfigSources().file(file).environment(Map.of("HERALD_PORT", "2222")).build().port()).isEqualTo(2222);
    }

    @Test
    void nested_yaml_keys_become_dotted_settings() throws IOException {
        Path file = yaml("""
                host: 0.0.0.0
                auth:
                  jwt-secret: a-secret-from-the-yaml-file-0123456789
                  api-keys:
                    - yaml-key-one-0123456789
                    - yaml-key-two-0123456789
                  jwt-issuer: https://id.example
                ws:
                  allowed-origins: https://app.example
                  max-connections-per-user: 3
                http:
                  max-body-size: 2MiB
                """);

        HeraldConfig config = new ConfigSources().file(file).build();

        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.devMode()).isFalse();
        assertThat(config.jwtSecret()).isEqualTo("a-secret-from-the-yaml-file-0123456789");
        assertThat(config.apiKeys()).containsExactly("yaml-key-one-0123456789", "yaml-key-two-0123456789");
        assertThat(config.jwtIssuer()).isEqualTo("https://id.example");
        assertThat(config.allowedOrigins()).containsExactly("https://app.example");
        assertThat(config.maxConnectionsPerUser()).isEqualTo(3);
        assertThat(config.maxBodySize()).isEqualTo(2 * 1024 * 1024);
    }

    @Test
    void dotted_keys_in_yaml_work_too() throws IOException {
        assertThat(new ConfigSources().file(yaml("ws.heartbeat: 7s\n")).build().heartbeat()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void unknown_yaml_key_fails_naming_it() throws IOException {
        Path file = yaml("""
                auth:
                  jwt-secrett: typo-in-the-key-name-0123456789
                """);

        assertThatThrownBy(() -> new ConfigSources().file(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'auth.jwt-secrett'")
                .hasMessageContaining("did you mean auth.jwt-secret?")
                .hasMessageContaining(file.toString());
    }

    @Test
    void unknown_top_level_yaml_key_fails_naming_it() throws IOException {
        assertThatThrownBy(() -> new ConfigSources().file(yaml("prot: 8080\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'prot'").hasMessageContaining("did you mean port?");
    }

    @Test
    void duplicate_keys_and_broken_yaml_fail() throws IOException {
        assertThatThrownBy(() -> new ConfigSources().file(yaml("port: 1\nport: 2\n"))).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> new ConfigSources().file(yaml("port: [1\n"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> new ConfigSources().file(yaml("- just\n- a list\n"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("map of settings");
    }

    @Test
    void broken_yaml_error_names_the_position_but_never_quotes_a_secret() throws IOException {
        String secret = "do-not-print-this-secret-value-0123456789";
        Path file = yaml("auth:\n  jwt-secret: " + secret + "\n  api-keys: [unclosed\n");

        assertThatThrownBy(() -> new ConfigSources().file(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML at line")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
    }

    @Test
    void missing_file_fails_naming_it() {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> new ConfigSources().file(missing)).isInstanceOf(ConfigException.class).hasMessageContaining(missing.toString());
    }

    @Test
    void empty_yaml_file_means_defaults() throws IOException {
        assertThat(new ConfigSources().file(yaml("")).build().port()).isEqualTo(8181);
    }

    @Test
    void bad_value_in_the_file_fails_naming_the_key() throws IOException {
        Path file = yaml("ws:\n  heartbeat: 10 parsecs\n");

        assertThatThrownBy(() -> new ConfigSources().file(file).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("ws.heartbeat:");
    }

    @Test
    void every_setting_has_its_environment_variable() {
        for (Setting s : Setting.values()) {
            HeraldConfig config = new ConfigSources().environment(Map.of(s.envName(), s.defaultValue())).build();
            assertThat(config.origins()).containsEntry(s, "env " + s.envName());
        }
        assertThat(Setting.AUTH_JWT_SECRET.envName()).isEqualTo("HERALD_AUTH_JWT_SECRET");
        assertThat(Setting.WS_MAX_CONNECTIONS_PER_USER.envName()).isEqualTo("HERALD_WS_MAX_CONNECTIONS_PER_USER");
    }

    @Test
    void unrelated_and_unknown_environment_variables_are_ignored_with_a_warning_for_unknown_herald_ones() {
        HeraldConfig config = new ConfigSources()
                .environment(Map.of("PATH", "/bin", "HERALD_CONFIG", "/etc/herald.yaml", "HERALD_JAVA_OPTS", "-Xmx1g", "HERALD_PROT", "1"))
                .build();

        assertThat(config.port()).isEqualTo(8181);
        assertThat(config.warnings()).containsExactly("ignoring environment variable HERALD_PROT: no such setting (did you mean HERALD_PORT?)");
    }

    @Test
    void bad_environment_value_fails_naming_the_key() {
        assertThatThrownBy(() -> new ConfigSources().environment(Map.of("HERALD_PORT", "eighty")).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("port:");
    }
}
