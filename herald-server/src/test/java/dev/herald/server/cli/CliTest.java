package dev.herald.server.cli;

import dev.herald.core.auth.Principal;
import dev.herald.server.auth.JwtAuthenticator;
import dev.herald.server.config.Setting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The herald command line, run in-process through {@link HeraldCommand#execute}; stdout and stderr captured. */
class CliTest {
    private static final String SECRET = "cli-test-secret-0123456789-abcdefghijkl";
    private static final String API_KEY = "cli-test-api-key-0123456789";
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @BeforeEach
    void capture() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    private String stdout() {
        System.out.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        System.err.flush();
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void serve_on_a_public_address_without_auth_exits_2_naming_the_missing_settings() {
        int exit = HeraldCommand.execute("serve", "--host", "0.0.0.0", "--port", "0");

        assertThat(exit).isEqualTo(HeraldCommand.EXIT_CONFIG).isEqualTo(2);
        assertThat(stderr()).contains("configuration error").contains("auth.jwt-secret").contains("auth.api-keys");
    }

    @Test
    void serve_with_a_bad_value_exits_2_naming_the_key() {
        assertThat(HeraldCommand.execute("serve", "--port", "abc")).isEqualTo(2);
        assertThat(stderr()).contains("port: 'abc' is not a whole number");
    }

    @Test
    void serve_with_an_unknown_option_exits_2_with_one_line_naming_the_closest_option() {
        assertThat(HeraldCommand.execute("serve", "--prot", "1")).isEqualTo(2);

        assertThat(stderr().lines()).singleElement().asString()
                .contains("unknown option --prot").contains("did you mean --port?").contains("herald serve --help");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void a_mistyped_setting_is_matched_against_every_setting_key() {
        assertThat(HeraldCommand.execute("config", "--ws.hearbeat=30s")).isEqualTo(2);

        assertThat(stderr().lines()).singleElement().asString()
                .contains("unknown option --ws.hearbeat").contains("did you mean --ws.heartbeat?").doesNotContain("30s");
    }

    @Test
    void a_mistyped_secret_flag_never_echoes_its_value() {
        assertThat(HeraldCommand.execute("serve", "--auth.jwt-secert=" + SECRET)).isEqualTo(2);

        assertThat(stderr()).contains("did you mean --auth.jwt-secret?").doesNotContain(SECRET);
    }

    @Test
    void an_unknown_flag_far_from_every_key_gets_no_suggestion() {
        assertThat(HeraldCommand.execute("serve", "--zzzzzzzzzzzzzz")).isEqualTo(2);

        assertThat(stderr().lines()).singleElement().asString().contains("--zzzzzzzzzzzzzz").doesNotContain("did you mean");
    }

    @Test
    void a_mistyped_command_gets_the_closest_command() {
        assertThat(HeraldCommand.execute("serv")).isEqualTo(2);

        assertThat(stderr().lines()).singleElement().asString().contains("serv").contains("did you mean serve?");
    }

    @Test
    void config_warns_about_unknown_herald_environment_variables_as_serve_does() {
        assertThat(HeraldCommand.execute(java.util.Map.of("HERALD_PROT", "9000", "HERALD_PORT", "9001"), "config")).isZero();

        assertThat(stderr().lines()).as("one warning, for the unknown variable only").singleElement().asString()
                .isEqualTo("herald: warning: ignoring environment variable HERALD_PROT: no such setting (did you mean HERALD_PORT?)");
        assertThat(stdout()).contains("port = 9001 (env HERALD_PORT)").doesNotContain("warning");
    }

    @Test
    void token_refuses_a_ttl_that_is_not_positive() {
        for (String ttl : new String[] {"0", "-100"}) {
            assertThat(HeraldCommand.execute("token", "--sub", "u1", "--secret", SECRET, "--ttl", ttl)).as("--ttl %s", ttl).isEqualTo(2);
        }

        assertThat(stderr().lines()).hasSize(2).allSatisfy(line -> assertThat(line).contains("--ttl must be between 1 and"));
        assertThat(stdout()).isEmpty();
    }

    @Test
    void config_keys_prints_every_setting() {
        assertThat(HeraldCommand.execute("config", "--keys")).isZero();

        String table = stdout();
        for (Setting s : Setting.values()) {
            assertThat(table).contains("| `" + s.key() + "` | `" + s.envName() + "` |");
        }
        assertThat(table.lines().filter(l -> l.startsWith("| `"))).hasSize(Setting.values().length);
    }

    @Test
    void config_prints_the_effective_configuration_with_secrets_masked() {
        int exit = HeraldCommand.execute("config", "--host", "0.0.0.0", "--port", "9999",
                "--auth.jwt-secret", SECRET, "--auth.api-keys", API_KEY);

        assertThat(exit).isZero();
        assertThat(stdout()).contains("port = 9999 (flag --port)").contains("mode: authenticated")
                .doesNotContain(SECRET).doesNotContain(API_KEY);
    }

    @Test
    void config_with_an_invalid_value_exits_2_naming_the_key() {
        assertThat(HeraldCommand.execute("config", "--ws.heartbeat", "10 parsecs")).isEqualTo(2);
        assertThat(stderr()).contains("ws.heartbeat");
    }

    @Test
    void config_with_an_absurdly_large_size_exits_2_and_not_with_a_stack_trace() {
        assertThat(HeraldCommand.execute("config", "--http.max-body-size", "99999999999999999999")).isEqualTo(2);
        assertThat(stderr()).contains("http.max-body-size").doesNotContain("Exception");
    }

    @Test
    void help_lists_the_subcommands() {
        assertThat(HeraldCommand.execute("--help")).isZero();

        assertThat(stdout()).contains("serve").contains("token").contains("config");
    }

    @Test
    void serve_help_lists_every_setting_as_an_option() {
        assertThat(HeraldCommand.execute("serve", "--help")).isZero();

        String help = stdout();
        assertThat(help).contains("--port").contains("--auth.jwt-secret").contains("--config");
        for (Setting s : Setting.values()) {
            assertThat(help).contains("--" + s.key());
        }
    }

    @Test
    void token_prints_a_jwt_that_the_authenticator_accepts() throws Exception {
        int exit = HeraldCommand.execute("token", "--sub", "u1", "--secret", SECRET, "--topic", "orders.*", "--topic", "news");

        assertThat(exit).isZero();
        String token = stdout().trim();
        assertThat(token).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
        Principal principal = new JwtAuthenticator(SECRET, null, null, null, Duration.ZERO, Clock.systemUTC()).authenticate(token);
        assertThat(principal.userId()).isEqualTo("u1");
        assertThat(principal.maySubscribe("orders.eu")).isTrue();
        assertThat(principal.maySubscribe("news")).isTrue();
        assertThat(principal.maySubscribe("sports")).isFalse();
    }

    @Test
    void token_carries_issuer_and_audience_when_asked() throws Exception {
        assertThat(HeraldCommand.execute("token", "--sub", "u2", "--secret", SECRET, "--issuer", "https://id.example", "--audience", "herald")).isZero();

        Principal principal = new JwtAuthenticator(SECRET, null, "https://id.example", "herald", Duration.ZERO, Clock.systemUTC())
                .authenticate(stdout().trim());
        assertThat(principal.userId()).isEqualTo("u2");
    }

    @Test
    void token_signed_with_another_secret_is_refused() {
        assertThat(HeraldCommand.execute("token", "--sub", "u1", "--secret", SECRET)).isZero();
        String token = stdout().trim();

        JwtAuthenticator other = new JwtAuthenticator(SECRET + "-other", null, null, null, Duration.ZERO, Clock.systemUTC());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> other.authenticate(token))
                .isInstanceOf(dev.herald.core.auth.Authenticator.AuthenticationException.class);
    }

    @Test
    void token_with_a_short_secret_exits_2() {
        assertThat(HeraldCommand.execute("token", "--sub", "u1", "--secret", "too-short")).isEqualTo(2);
        assertThat(stderr()).contains("32 bytes");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void token_without_sub_exits_2() {
        assertThat(HeraldCommand.execute("token", "--secret", SECRET)).isEqualTo(2);
        assertThat(stderr()).contains("--sub");
    }
}
