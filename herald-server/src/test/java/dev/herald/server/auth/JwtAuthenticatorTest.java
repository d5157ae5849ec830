package dev.herald.server.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.herald.core.auth.Authenticator.AuthenticationException;
import dev.herald.core.auth.Principal;
import dev.herald.server.config.ConfigException;
import dev.herald.server.testing.Tokens;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JWT matrix against the authenticator alone, with a fixed clock. */
class JwtAuthenticatorTest {
    private static final String SECRET = "unit-test-secret-that-is-long-enough-for-hs256";
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Duration LEEWAY = Duration.ofSeconds(30);
    private static final KeyPair RSA = Tokens.rsa();
    private static final KeyPair EC = Tokens.ec();

    private static JwtAuthenticator hsOnly() {
        return new JwtAuthenticator(SECRET, null, null, null, LEEWAY, CLOCK);
    }

    private static JWTClaimsSet.Builder claims(String sub) {
        return new JWTClaimsSet.Builder().subject(sub).issueTime(Date.from(NOW)).expirationTime(Date.from(NOW.plusSeconds(3600)));
    }

    private static void assertRefused(JwtAuthenticator auth, String token, String reason) {
        assertThatThrownBy(() -> auth.authenticate(token))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining(reason)
                .matches(e -> !((AuthenticationException) e).forbidden(), "a bad token is unauthorized (4001), not forbidden");
    }

    @Test
    void valid_hs256_token_yields_its_subject_and_topic_grants() throws Exception {
        String token = Tokens.hs256(SECRET, claims("user-1").claim("topics", List.of("news", "orders.*")).build());

        Principal principal = hsOnly().authenticate(token);

        assertThat(principal.userId()).isEqualTo("user-1");
        assertThat(principal.topicGrants()).containsExactly("news", "orders.*");
        assertThat(principal.maySubscribe("orders.eu")).isTrue();
        assertThat(principal.maySubscribe("sports")).isFalse();
    }

    @Test
    void token_without_topics_claim_grants_no_topic() throws Exception {
        Principal principal = hsOnly().authenticate(Tokens.hs256(SECRET, claims("u").build()));

        assertThat(principal.topicGrants()).isEmpty();
        assertThat(principal.maySubscribe("news")).isFalse();
    }

    @Test
    void expired_token_is_refused() {
        String token = Tokens.hs256(SECRET, claims("u").expirationTime(Date.from(NOW.minusSeconds(31))).build());

        assertRefused(hsOnly(), token, "expired");
    }

    @Test
    void token_expired_within_the_leeway_is_still_accepted() throws Exception {
        String token = Tokens.hs256(SECRET, claims("u").expirationTime(Date.from(NOW.minusSeconds(10))).build());

        assertThat(hsOnly().authenticate(token).userId()).isEqualTo("u");
    }

    @Test
    void token_whose_nbf_is_in_the_future_is_refused() {
        String token = Tokens.hs256(SECRET, claims("u").notBeforeTime(Date.from(NOW.plusSeconds(120))).build());

        assertRefused(hsOnly(), token, "nbf");
    }

    @Test
    void token_signed_with_another_hs_secret_is_refused() {
        String token = Tokens.hs256("another-secret-which-is-also-long-enough!!", claims("u").build());

        assertRefused(hsOnly(), token, "signature");
    }

    @Test
    void unsigned_alg_none_token_is_refused() {
        assertRefused(hsOnly(), Tokens.unsigned(claims("u").build()), "not a signed JWT");
    }

    @Test
    void garbage_is_refused() {
        assertRefused(hsOnly(), "not.a.jwt", "not a signed JWT");
        assertRefused(hsOnly(), "", "not a signed JWT");
    }

    @Test
    void hs256_token_signed_with_the_rsa_public_key_bytes_is_refused_when_only_that_key_is_configured() {
        JwtAuthenticator rsaOnly = new JwtAuthenticator(null, RSA.getPublic(), null, null, LEEWAY, CLOCK);
        String withPem = Tokens.hs256(Tokens.pem(RSA.getPublic()).getBytes(StandardCharsets.US_ASCII), claims("attacker").build());
        String withDer = Tokens.hs256(RSA.getPublic().getEncoded(), claims("attacker").build());

        assertRefused(rsaOnly, withPem, "HS256 is not accepted");
        assertRefused(rsaOnly, withDer, "HS256 is not accepted");
    }

    @Test
    void rs256_token_is_accepted_with_the_rsa_public_key() throws Exception {
        JwtAuthenticator rsaOnly = new JwtAuthenticator(null, RSA.getPublic(), null, null, LEEWAY, CLOCK);

        assertThat(rsaOnly.authenticate(Tokens.rs256(RSA, claims("rsa-user").build())).userId()).isEqualTo("rsa-user");
        assertThat(rsaOnly.algorithms()).containsEntry("RS256", true).containsEntry("HS256", false).containsEntry("ES256", false);
    }

    @Test
    void rs256_token_signed_by_another_rsa_key_is_refused() {
        JwtAuthenticator rsaOnly = new JwtAuthenticator(null, RSA.getPublic(), null, null, LEEWAY, CLOCK);

        assertRefused(rsaOnly, Tokens.rs256(Tokens.rsa(), claims("u").build()), "signature");
    }

    @Test
    void es256_token_is_accepted_with_the_ec_public_key() throws Exception {
        JwtAuthenticator ecOnly = new JwtAuthenticator(null, EC.getPublic(), null, null, LEEWAY, CLOCK);

        assertThat(ecOnly.authenticate(Tokens.es256(EC, claims("ec-user").build())).userId()).isEqualTo("ec-user");
        assertRefused(ecOnly, Tokens.es256(Tokens.ec(), claims("u").build()), "signature");
        assertRefused(ecOnly, Tokens.rs256(RSA, claims("u").build()), "RS256 is not accepted");
    }

    @Test
    void rs256_token_is_refused_when_only_an_hs_secret_is_configured() {
        assertRefused(hsOnly(), Tokens.rs256(RSA, claims("u").build()), "RS256 is not accepted");
    }

    @Test
    void secret_and_public_key_together_accept_both_algorithms() throws Exception {
        JwtAuthenticator both = new JwtAuthenticator(SECRET, RSA.getPublic(), null, null, LEEWAY, CLOCK);

        assertThat(both.authenticate(Tokens.hs256(SECRET, claims("a").build())).userId()).isEqualTo("a");
        assertThat(both.authenticate(Tokens.rs256(RSA, claims("b").build())).userId()).isEqualTo("b");
    }

    @Test
    void token_without_sub_is_refused() {
        String token = Tokens.hs256(SECRET, new JWTClaimsSet.Builder().expirationTime(Date.from(NOW.plusSeconds(60))).build());

        assertRefused(hsOnly(), token, "sub");
    }

    @Test
    void token_without_exp_is_refused() {
        String token = Tokens.hs256(SECRET, new JWTClaimsSet.Builder().subject("u").build());

        assertRefused(hsOnly(), token, "no exp");
    }

    @Test
    void issuer_must_match_when_configured() throws Exception {
        JwtAuthenticator auth = new JwtAuthenticator(SECRET, null, "https://id.example", null, LEEWAY, CLOCK);

        assertThat(auth.authenticate(Tokens.hs256(SECRET, claims("u").issuer("https://id.example").build())).userId()).isEqualTo("u");
        assertRefused(auth, Tokens.hs256(SECRET, claims("u").issuer("https://evil.example").build()), "issuer");
        assertRefused(auth, Tokens.hs256(SECRET, claims("u").build()), "issuer");
    }

    @Test
    void audience_must_match_when_configured() throws Exception {
        JwtAuthenticator auth = new JwtAuthenticator(SECRET, null, null, "herald", LEEWAY, CLOCK);

        assertThat(auth.authenticate(Tokens.hs256(SECRET, claims("u").audience(List.of("other", "herald")).build())).userId()).isEqualTo("u");
        assertRefused(auth, Tokens.hs256(SECRET, claims("u").audience("other").build()), "audience");
        assertRefused(auth, Tokens.hs256(SECRET, claims("u").build()), "audience");
    }

    @Test
    void topics_claim_that_is_not_an_array_of_strings_is_refused() {
        assertRefused(hsOnly(), Tokens.hs256(SECRET, claims("u").claim("topics", "news").build()), "topics");
        assertRefused(hsOnly(), Tokens.hs256(SECRET, claims("u").claim("topics", List.of(1, 2)).build()), "topics");
    }

    @Test
    void bare_uid_login_is_forbidden_when_jwt_is_configured() {
        assertThatThrownBy(() -> hsOnly().authenticateUid("1"))
                .isInstanceOf(AuthenticationException.class)
                .matches(e -> ((AuthenticationException) e).forbidden(), "uid login is forbidden (4003)");
        assertThat(hsOnly().devMode()).isFalse();
    }

    @Test
    void authenticator_without_any_key_cannot_be_built() {
        assertThatThrownBy(() -> new JwtAuthenticator("", null, null, null, LEEWAY, CLOCK))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.jwt-secret");
    }

    private static String payload(String sub) {
        return "{\"sub\":" + sub + ",\"exp\":" + NOW.plusSeconds(3600).getEpochSecond() + "}";
    }

    @Test
    void a_valid_hand_written_token_is_accepted() throws Exception {
        String token = Tokens.hs256Raw(SECRET, "{\"alg\":\"HS256\"}", payload("\"42\""));

        assertThat(hsOnly().authenticate(token).userId()).isEqualTo("42");
    }

    @Test
    void a_sub_that_is_a_number_is_not_the_user_of_that_name() {
        assertRefused(hsOnly(), Tokens.hs256Raw(SECRET, "{\"alg\":\"HS256\"}", payload("42")), "no valid sub");
        // nimbus refuses these types itself (its claims parser), with its own wording
        assertRefused(hsOnly(), Tokens.hs256Raw(SECRET, "{\"alg\":\"HS256\"}", payload("true")), "token");
        assertRefused(hsOnly(), Tokens.hs256Raw(SECRET, "{\"alg\":\"HS256\"}", payload("[\"42\"]")), "token");
    }

    @Test
    void an_issuer_that_is_a_number_does_not_match_the_configured_string() {
        JwtAuthenticator withIssuer = new JwtAuthenticator(SECRET, null, "42", null, LEEWAY, CLOCK);
        String body = "{\"sub\":\"u\",\"iss\":42,\"exp\":" + NOW.plusSeconds(3600).getEpochSecond() + "}";

        assertRefused(withIssuer, Tokens.hs256Raw(SECRET, "{\"alg\":\"HS256\"}", body), "token");
    }

    @Test
    void repeated_claims_are_refused_instead_of_the_last_one_winning() {
        String body = "{\"sub\":\"alice\",\"sub\":\"mallory\",\"exp\":" + NOW.plusSeconds(3600).getEpochSecond() + "}";

        assertRefused(hsOnly(), Tokens.hs256Raw(SECRET, "{\"alg\":\"HS256\"}", body), "claims");
        assertRefused(hsOnly(), Tokens.hs256Raw(SECRET, "{\"alg\":\"HS256\",\"alg\":\"none\"}", payload("\"u\"")), "");
    }

    @Test
    void an_unknown_alg_is_refused_without_repeating_it() {
        String token = Tokens.hs256Raw(SECRET, "{\"alg\":\"HS256\\nFORGED secret-ish\"}", payload("\"u\""));

        assertThatThrownBy(() -> hsOnly().authenticate(token)).isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("algorithm is not accepted").hasMessageNotContaining("FORGED").hasMessageNotContaining("\n");
    }
}
