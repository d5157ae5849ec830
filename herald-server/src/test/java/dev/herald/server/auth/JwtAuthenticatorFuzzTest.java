package dev.herald.server.auth;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.herald.core.auth.Authenticator.AuthenticationException;
import dev.herald.core.auth.Principal;
import dev.herald.core.message.UserIds;
import dev.herald.server.testing.Tokens;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any token a client presents ({@code ?token=} or the auth frame): a principal or an {@link AuthenticationException}
 * (4001, never 4003), never another exception. An input starting with {@code J} is a header and a claims set (the
 * rest, split at the first newline) signed with the right key, so the fuzzer reaches the claims checks behind the
 * signature; any other input is the token text itself. Corpus: {@code JwtAuthenticatorFuzzTestInputs/}.
 */
class JwtAuthenticatorFuzzTest {
    static final String SECRET = "fuzz-secret-that-is-long-enough-for-hs256";
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private final JwtAuthenticator authenticator = new JwtAuthenticator(SECRET, null, "issuer", "audience", Duration.ofSeconds(30),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @FuzzTest(maxDuration = "50s")
    void authenticate(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        String token = text;
        if (text.startsWith("J")) {
            int newline = text.indexOf('\n');
            String header = newline < 0 ? text.substring(1) : text.substring(1, newline);
            String claims = newline < 0 ? "{}" : text.substring(newline + 1);
            token = Tokens.hs256Raw(SECRET, header, claims);
        }
        try {
            Principal principal = authenticator.authenticate(token);
            assertThat(UserIds.isValid(principal.userId())).isTrue();
            assertThat(principal.topicGrants()).doesNotContainNull();
        } catch (AuthenticationException e) {
            assertThat(e.forbidden()).isFalse();
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
        }
    }
}
