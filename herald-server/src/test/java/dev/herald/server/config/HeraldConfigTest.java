package dev.herald.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Validation rules of {@link HeraldConfig}: defaults, bad values, auth combinations, masking. */
class HeraldConfigTest {
    private static final String SECRET = "config-test-secret-0123456789-abcdefghij";
    private static final String API_KEY = "config-test-api-key-0123456789";

    private static HeraldConfig build(Map<Setting, String> flags) {
        return new ConfigSources().flags(flags).build();
    }

    private static Map<Setting, String> withAuth(Map<Setting, String> more) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.AUTH_JWT_SECRET, SECRET);
        flags.put(Setting.AUTH_API_KEYS, API_KEY);
        flags.putAll(more);
        return flags;
    }

    @Test
    void defaults_are_dev_mode_on_loopback_port_8181() {
        HeraldConfig config = HeraldConfig.defaults();

        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8181);
        assertThat(config.devMode()).isTrue();
        assertThat(config.apiKeys()).isEmpty();
        assertThat(config.jwtSecret()).isEmpty();
        assertThat(config.jwtPublicKey()).isNull();
        assertThat(config.nodeId()).isNotBlank();
        assertThat(config.heartbeat()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(40));
        assertThat(config.idleTimeout().plus(config.heartbeat())).as("a dead peer is removed within 60 s").isLessThanOrEqualTo(Duration.ofSeconds(60));
        assertThat(config.maxMessageSize()).isEqualTo(64 * 1024);
        assertThat(config.maxBodySize()).isEqualTo(1024 * 1024);
        assertThat(config.maxBatch()).isEqualTo(1000);
        assertThat(config.logLevel()).isEqualTo("INFO");
        assertThat(config.origins()).containsEntry(Setting.PORT, "default");
        assertThat(config.toString()).contains("devMode=true");
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "port                       | abc                  | port: 'abc' is not a whole number",
        "port                       | 70000                | port: 70000 is out of range",
        "port                       | -1                   | port: -1 is out of range",
        "ws.max-connections         | 0                    | ws.max-connections: 0 is out of range",
        "ws.max-connections         | lots                 | ws.max-connections: 'lots' is not a whole number",
        "ws.heartbeat               | 10 parsecs           | ws.heartbeat: '10 parsecs' is not a duration",
        "ws.heartbeat               | 0s                   | ws.heartbeat: must be greater than zero",
        "ws.idle-timeout            | 10s                  | ws.idle-timeout: must be longer than ws.heartbeat",
        "ws.auth-timeout            | soon                 | ws.auth-timeout:",
        "auth.jwt-leeway            | 5 minutes            | auth.jwt-leeway:",
        "shutdown.grace             | -1s                  | shutdown.grace:",
        "http.max-body-size         | huge                 | http.max-body-size: 'huge' is not a size",
        "http.max-body-size         | 1                    | http.max-body-size: must be between 1KiB and 256MiB",
        "ws.max-message-size        | 1TiB                 | ws.max-message-size: '1TiB' is not a size",
        "ws.send-queue-size         | 10                   | ws.send-queue-size: must be at least 1KiB",
        "ws.max-connections-per-user| 0                    | ws.max-connections-per-user: 0 is out of range",
        "api.max-batch              | many                 | api.max-batch: 'many' is not a whole number",
        "http.event-loops           | 0                    | http.event-loops: 0 is out of range",
        "http.event-loops           | 1025                 | http.event-loops: 1025 is out of range",
        "http.event-loops           | all                  | http.event-loops: 'all' is not a whole number",
        "log.level                  | LOUD                 | log.level: 'LOUD' is not one of",
        "host                       | ' '                  | host: must not be empty",
        "auth.jwt-public-key        | /no/such/key.pem     | auth.jwt-public-key: file /no/such/key.pem is not readable",
    })
    void bad_values_fail_fast_naming_the_key(String key, String value, String message) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.byKey(key), value);

        assertThatThrownBy(() -> build(flags)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "http.max-body-size | 99999999999999999999",
        "http.max-body-size | 99999999999gib",
        "ws.heartbeat       | 99999999999999999999s",
        "ws.idle-timeout    | 9999999999999999999d",
        "ws.idle-timeout    | 999999999999999d",
        "port               | 99999999999999999999",
    })
    void absurdly_large_numbers_fail_as_configuration_errors_naming_the_key(String key, String value) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.byKey(key), value);

        assertThatThrownBy(() -> build(flags)).isInstanceOf(ConfigException.class).hasMessageStartingWith(key + ":");
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "http.header-timeout              | 0s",
        "http.header-timeout              | 50ms",
        "http.idle-timeout                | soon",
        "http.upgrade-timeout             | 99ms",
        "http.max-connections-per-address | 0",
        "http.max-connections-per-address | many",
    })
    void bad_http_connection_limits_stop_the_start_naming_the_key(String key, String value) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.byKey(key), value);

        assertThatThrownBy(() -> build(flags)).isInstanceOf(ConfigException.class).hasMessageStartingWith(key + ":");
    }

    @Test
    void http_connection_limits_default_to_the_named_defaults_and_can_be_set() {
        assertThat(build(Map.of()).http()).isEqualTo(HttpConfig.defaults());

        HttpConfig set = build(Map.of(Setting.HTTP_HEADER_TIMEOUT, "2s", Setting.HTTP_IDLE_TIMEOUT, "500ms",
                Setting.HTTP_UPGRADE_TIMEOUT, "3s", Setting.HTTP_MAX_CONNECTIONS_PER_ADDRESS, "7")).http();

        assertThat(set).isEqualTo(new HttpConfig(java.time.Duration.ofSeconds(2), java.time.Duration.ofMillis(500),
                java.time.Duration.ofSeconds(3), 7));
    }

    @Test
    void human_units_are_understood() {
        HeraldConfig config = build(Map.of(Setting.WS_HEARTBEAT, "500ms", Setting.WS_IDLE_TIMEOUT, "2m",
                Setting.HTTP_MAX_BODY_SIZE, "2MiB", Setting.WS_MAX_MESSAGE_SIZE, "65536", Setting.LOG_LEVEL, "debug"));

        assertThat(config.heartbeat()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.maxBodySize()).isEqualTo(2 * 1024 * 1024);
        assertThat(config.maxMessageSize()).isEqualTo(65536);
        assertThat(config.logLevel()).isEqualTo("DEBUG");
    }

    @Test
    void http_event_loops_defaults_to_one_per_available_processor_and_takes_a_count() {
        HeraldConfig defaults = build(Map.of());
        int processors = Runtime.getRuntime().availableProcessors();
        assertThat(defaults.eventLoops()).isEqualTo(processors);
        assertThat(defaults.describe()).contains("http.event-loops = " + processors + ", one per processor (the default)");

        assertThat(build(Map.of(Setting.HTTP_EVENT_LOOPS, "1")).eventLoops()).isEqualTo(1);
        assertThat(build(Map.of(Setting.HTTP_EVENT_LOOPS, "6")).eventLoops()).isEqualTo(6);
    }

    @Test
    void a_store_password_never_reaches_the_configuration_log_or_errors() {
        String described = build(Map.of(Setting.STORE, "postgresql://herald:s3cret@db:5432/push?password=s3cret")).describe();
        assertThat(described).contains("store = postgresql://herald:***@db:5432/push?password=***").doesNotContain("s3cret");
        assertThatThrownBy(() -> build(Map.of(Setting.STORE, "mysql://herald:s3cret@db/push")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("store:")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
    }

    @Test
    void receipt_webhook_needs_an_http_url_and_a_long_enough_secret_plain_or_whsec() {
        Map<Setting, String> url = Map.of(Setting.RECEIPTS_WEBHOOK_URL, "https://hooks.example/receipts");
        assertThatThrownBy(() -> build(url)).isInstanceOf(ConfigException.class).hasMessageStartingWith("receipts.webhook-secret:");
        assertThatThrownBy(() -> build(Map.of(Setting.RECEIPTS_WEBHOOK_URL, "ftp://x", Setting.RECEIPTS_WEBHOOK_SECRET, "s".repeat(24))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("receipts.webhook-url:");
        assertThatThrownBy(() -> build(Map.of(Setting.RECEIPTS_WEBHOOK_URL, "https://h/a b", Setting.RECEIPTS_WEBHOOK_SECRET, "s".repeat(24))))
                .isInstanceOf(ConfigException.class).hasMessage("receipts.webhook-url: is not a valid URL");
        assertThatThrownBy(() -> build(Map.of(Setting.RECEIPTS_WEBHOOK_URL, "https://user:pw@h/r", Setting.RECEIPTS_WEBHOOK_SECRET, "s".repeat(24))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("receipts.webhook-url: must not contain user info");
        assertThatThrownBy(() -> build(Map.of(Setting.RECEIPTS_WEBHOOK_URL, "https://h/r", Setting.RECEIPTS_WEBHOOK_SECRET, "s".repeat(23))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("24 bytes");
        assertThatThrownBy(() -> build(Map.of(Setting.RECEIPTS_WEBHOOK_URL, "https://h/r", Setting.RECEIPTS_WEBHOOK_SECRET, "whsec_not*base64")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not base64");
        // 18 bytes of key, though the text is longer: the decoded key is what counts
        assertThatThrownBy(() -> build(Map.of(Setting.RECEIPTS_WEBHOOK_URL, "https://h/r",
                Setting.RECEIPTS_WEBHOOK_SECRET, "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[18]))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("24 bytes");
        assertThat(build(Map.of(Setting.RECEIPTS_WEBHOOK_URL, "https://h/r",
                Setting.RECEIPTS_WEBHOOK_SECRET, "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]))).receiptWebhookUrl())
                .isEqualTo("https://h/r");
    }

    @Test
    void jwt_secret_shorter_than_32_bytes_fails_without_echoing_it() {
        assertThatThrownBy(() -> build(withAuth(Map.of(Setting.AUTH_JWT_SECRET, "short-secret-31-bytes-long-xxxx"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.jwt-secret")
                .hasMessageContaining("32")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("short-secret"));
        assertThat(build(withAuth(Map.of(Setting.AUTH_JWT_SECRET, "x".repeat(32)))).devMode()).isFalse();
    }

    @Test
    void short_api_key_fails_without_echoing_it() {
        assertThatThrownBy(() -> build(withAuth(Map.of(Setting.AUTH_API_KEYS, API_KEY + ",tiny-key"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.api-keys")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("tiny-key"));
    }

    @Test
    void jwt_without_api_keys_fails() {
        assertThatThrownBy(() -> build(Map.of(Setting.AUTH_JWT_SECRET, SECRET)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("auth.api-keys:");
    }

    @Test
    void api_keys_without_jwt_fail() {
        assertThatThrownBy(() -> build(Map.of(Setting.AUTH_API_KEYS, API_KEY)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.jwt-secret");
    }

    @Test
    void dev_mode_on_a_non_loopback_host_fails_naming_the_auth_settings() {
        assertThatThrownBy(() -> build(Map.of(Setting.HOST, "0.0.0.0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("0.0.0.0")
                .hasMessageContaining("auth.jwt-secret")
                .hasMessageContaining("auth.api-keys");
    }

    @Test
    void dev_mode_may_bind_any_loopback_name() {
        assertThat(build(Map.of(Setting.HOST, "localhost")).devMode()).isTrue();
        assertThat(build(Map.of(Setting.HOST, "::1")).host()).isEqualTo("::1");
    }

    @Test
    void with_auth_any_address_may_be_bound() {
        HeraldConfig config = build(withAuth(Map.of(Setting.HOST, "0.0.0.0")));

        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.devMode()).isFalse();
        assertThat(config.apiKeys()).containsExactly(API_KEY);
    }

    @Test
    void a_public_key_file_alone_with_api_keys_is_auth_mode(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path pem = java.nio.file.Files.writeString(dir.resolve("key.pem"), "not checked here");

        HeraldConfig config = build(Map.of(Setting.AUTH_JWT_PUBLIC_KEY, pem.toString(), Setting.AUTH_API_KEYS, API_KEY, Setting.HOST, "0.0.0.0"));

        assertThat(config.devMode()).isFalse();
        assertThat(config.jwtPublicKey()).isEqualTo(pem);
    }

    @Test
    void api_keys_and_allowed_origins_are_comma_separated_lists() {
        HeraldConfig config = build(withAuth(Map.of(Setting.AUTH_API_KEYS, " key-one-0123456789ab , ,key-two-0123456789ab ",
                Setting.WS_ALLOWED_ORIGINS, "https://a.example,https://b.example")));

        assertThat(config.apiKeys()).containsExactly("key-one-0123456789ab", "key-two-0123456789ab");
        assertThat(config.allowedOrigins()).containsExactly("https://a.example", "https://b.example");
    }

    @Test
    void describe_masks_secrets_and_shows_where_each_value_came_from() {
        HeraldConfig config = build(withAuth(Map.of(Setting.PORT, "9000")));

        String described = config.describe();

        assertThat(described).doesNotContain(SECRET).doesNotContain(API_KEY);
        assertThat(described).contains("auth.jwt-secret = ******** (set) (flag --auth.jwt-secret)");
        assertThat(described).contains("auth.api-keys = ******** (set) (flag --auth.api-keys)");
        assertThat(described).contains("port = 9000 (flag --port)");
        assertThat(described).contains("host = 127.0.0.1 (default)");
        for (Setting s : Setting.values()) {
            assertThat(described).contains("  " + s.key() + " = ");
        }
    }

    @Test
    void describe_shows_unset_secrets_as_empty() {
        assertThat(HeraldConfig.defaults().describe()).contains("auth.jwt-secret =  (default)").doesNotContain("********");
    }

    @Test
    void to_string_has_no_secrets() {
        HeraldConfig config = build(withAuth(Map.of()));

        assertThat(config.toString()).doesNotContain(SECRET).doesNotContain(API_KEY).contains("devMode=false");
    }

    @Test
    void max_connections_defaults_to_the_file_descriptor_limit_minus_a_reserve() {
        assertThat(HeraldConfig.maxConnections("", 20_000, new java.util.ArrayList<>())).isEqualTo(19_900);
        assertThat(HeraldConfig.maxConnections("", 300, new java.util.ArrayList<>())).isEqualTo(200);
        assertThat(HeraldConfig.maxConnections("", 150, new java.util.ArrayList<>())).as("half of a tiny limit").isEqualTo(75);
        assertThat(HeraldConfig.maxConnections("", -1, new java.util.ArrayList<>())).as("limit unknown: no cap").isEqualTo(Integer.MAX_VALUE);
        long limit = FileDescriptors.limit();
        assertThat(HeraldConfig.defaults().maxConnections()).isEqualTo(FileDescriptors.defaultMaxConnections(limit));
    }

    @Test
    void max_connections_the_descriptor_limit_cannot_hold_starts_with_a_warning() {
        java.util.List<String> warnings = new java.util.ArrayList<>();

        assertThat(HeraldConfig.maxConnections("19900", 20_000, warnings)).isEqualTo(19_900);
        assertThat(warnings).isEmpty();
        assertThat(HeraldConfig.maxConnections("50000", 20_000, warnings)).isEqualTo(50_000);
        assertThat(warnings).singleElement().asString().startsWith("ws.max-connections (50000) leaves fewer than 100 of the process's 20000 file descriptors");
    }
}
