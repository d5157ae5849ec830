package dev.herald.server.ws;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.herald.server.config.Setting;
import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.TestServers;
import dev.herald.server.testing.Tokens;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The JWT matrix end to end: a real server with auth, real WebSocket clients, real signed tokens. */
class JwtLoginTest {
    private final TestServers servers = new TestServers();

    @AfterEach
    void stop() {
        servers.close();
    }

    private TestServer withAuth(Map<Setting, String> overrides) {
        return servers.withAuth(overrides);
    }

    private TestServer withAuth() {
        return withAuth(Map.of());
    }

    /** A server with only a public key for JWTs (no HS secret), plus the API key. */
    private TestServer withPublicKeyOnly(KeyPair keys) {
        return withAuth(Map.of(Setting.AUTH_JWT_SECRET, "", Setting.AUTH_JWT_PUBLIC_KEY, Tokens.pemFile(keys.getPublic()).toString()));
    }

    private static String welcome(WsClient client) {
        return client.awaitFrame(f -> f.contains("\"type\":\"welcome\""));
    }

    private static void assertReceivesPushFor(TestServer server, WsClient client, String uid) {
        Http.Response r = server.http().postJson("/api/v1/messages", "{\"to\":{\"users\":[\"" + uid + "\"]},\"data\":{\"hello\":\"" + uid + "\"}}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("\"delivered\":1");
        assertThat(client.awaitFrame(f -> f.contains("\"type\":\"message\""))).endsWith("\"data\":{\"hello\":\"" + uid + "\"}}");
    }

    private static int closeCodeForQueryToken(TestServer server, String token) {
        return server.connect("token=" + token).awaitClose();
    }

    private static int closeCodeForAuthFrame(TestServer server, String token) {
        WsClient client = server.connect();
        client.send("{\"type\":\"auth\",\"token\":\"" + token + "\"}");
        return client.awaitClose();
    }

    @Test
    void valid_hs256_token_in_the_query_gets_a_welcome_and_receives_messages() {
        TestServer server = withAuth();

        WsClient client = server.connect("token=" + Tokens.hs256("alice"));

        assertThat(welcome(client)).contains("\"user\":\"alice\"");
        assertReceivesPushFor(server, client, "alice");
    }

    @Test
    void valid_hs256_token_in_the_first_frame_gets_a_welcome_and_receives_messages() {
        TestServer server = withAuth();
        WsClient client = server.connect();

        client.send("{\"type\":\"auth\",\"token\":\"" + Tokens.hs256("bob") + "\"}");

        assertThat(welcome(client)).contains("\"user\":\"bob\"");
        assertReceivesPushFor(server, client, "bob");
    }

    @Test
    void expired_token_is_closed_with_4001() {
        TestServer server = withAuth();
        String token = Tokens.hs256(TestServer.JWT_SECRET, Tokens.claims("u").expirationTime(Date.from(Instant.now().minusSeconds(3600))).build());

        assertThat(closeCodeForQueryToken(server, token)).isEqualTo(4001);
        assertThat(closeCodeForAuthFrame(server, token)).isEqualTo(4001);
    }

    @Test
    void token_not_valid_before_a_future_time_is_closed_with_4001() {
        TestServer server = withAuth();
        String token = Tokens.hs256(TestServer.JWT_SECRET, Tokens.claims("u").notBeforeTime(Date.from(Instant.now().plusSeconds(3600))).build());

        assertThat(closeCodeForQueryToken(server, token)).isEqualTo(4001);
        assertThat(closeCodeForAuthFrame(server, token)).isEqualTo(4001);
    }

    @Test
    void token_signed_with_the_wrong_hs_key_is_closed_with_4001() {
        TestServer server = withAuth();
        String token = Tokens.hs256("a-different-secret-that-is-32-bytes-or-more", Tokens.claims("u").build());

        assertThat(closeCodeForQueryToken(server, token)).isEqualTo(4001);
        assertThat(closeCodeForAuthFrame(server, token)).isEqualTo(4001);
    }

    @Test
    void unsigned_alg_none_token_is_closed_with_4001() {
        TestServer server = withAuth();
        String token = Tokens.unsigned(Tokens.claims("u").build());

        assertThat(closeCodeForQueryToken(server, token)).isEqualTo(4001);
        assertThat(closeCodeForAuthFrame(server, token)).isEqualTo(4001);
    }

    @Test
    void hs256_token_using_the_rsa_public_key_as_hmac_secret_is_closed_with_4001() {
        KeyPair rsa = Tokens.rsa();
        TestServer server = withPublicKeyOnly(rsa);
        String withPem = Tokens.hs256(Tokens.pem(rsa.getPublic()).getBytes(StandardCharsets.US_ASCII), Tokens.claims("attacker").build());
        String withDer = Tokens.hs256(rsa.getPublic().getEncoded(), Tokens.claims("attacker").build());

        assertThat(closeCodeForQueryToken(server, withPem)).isEqualTo(4001);
        assertThat(closeCodeForAuthFrame(server, withDer)).isEqualTo(4001);
        assertThat(server.server().hub().sessions("attacker")).isEmpty();
    }

    @Test
    void rs256_token_is_accepted_with_an_rsa_public_key() {
        KeyPair rsa = Tokens.rsa();
        TestServer server = withPublicKeyOnly(rsa);

        WsClient client = server.connect("token=" + Tokens.rs256(rsa, Tokens.claims("rsa-user").build()));

        assertThat(welcome(client)).contains("\"user\":\"rsa-user\"");
        assertReceivesPushFor(server, client, "rsa-user");
    }

    @Test
    void es256_token_is_accepted_with_an_ec_public_key() {
        KeyPair ec = Tokens.ec();
        TestServer server = withPublicKeyOnly(ec);
        WsClient client = server.connect();

        client.send("{\"type\":\"auth\",\"token\":\"" + Tokens.es256(ec, Tokens.claims("ec-user").build()) + "\"}");

        assertThat(welcome(client)).contains("\"user\":\"ec-user\"");
        assertReceivesPushFor(server, client, "ec-user");
    }

    @Test
    void rs256_token_is_closed_with_4001_when_only_an_hs_secret_is_configured() {
        TestServer server = withAuth();

        assertThat(closeCodeForQueryToken(server, Tokens.rs256(Tokens.rsa(), Tokens.claims("u").build()))).isEqualTo(4001);
    }

    @Test
    void token_without_sub_or_without_exp_is_closed_with_4001() {
        TestServer server = withAuth();
        String noSub = Tokens.hs256(TestServer.JWT_SECRET, new JWTClaimsSet.Builder().expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
        String noExp = Tokens.hs256(TestServer.JWT_SECRET, new JWTClaimsSet.Builder().subject("u").build());

        assertThat(closeCodeForQueryToken(server, noSub)).isEqualTo(4001);
        assertThat(closeCodeForQueryToken(server, noExp)).isEqualTo(4001);
    }

    @Test
    void issuer_or_audience_mismatch_is_closed_with_4001_when_configured() {
        TestServer server = withAuth(Map.of(Setting.AUTH_JWT_ISSUER, "https://id.example", Setting.AUTH_JWT_AUDIENCE, "herald"));
        String good = Tokens.hs256(TestServer.JWT_SECRET, Tokens.claims("u").issuer("https://id.example").audience("herald").build());
        String wrongIssuer = Tokens.hs256(TestServer.JWT_SECRET, Tokens.claims("u").issuer("https://evil.example").audience("herald").build());
        String wrongAudience = Tokens.hs256(TestServer.JWT_SECRET, Tokens.claims("u").issuer("https://id.example").audience("other").build());

        assertThat(welcome(server.connect("token=" + good))).contains("\"user\":\"u\"");
        assertThat(closeCodeForQueryToken(server, wrongIssuer)).isEqualTo(4001);
        assertThat(closeCodeForQueryToken(server, wrongAudience)).isEqualTo(4001);
    }

    @Test
    void seed_uid_login_frame_is_closed_with_4003_when_auth_is_configured() {
        TestServer server = withAuth();
        WsClient client = server.connect();

        client.send("{\"uid\": \"1\"}");

        assertThat(client.awaitClose()).isEqualTo(4003);
        assertThat(server.server().hub().sessions("1")).isEmpty();
    }

    @Test
    void uid_query_parameter_is_closed_with_4003_when_auth_is_configured() {
        TestServer server = withAuth();

        assertThat(server.connect("uid=1").awaitClose()).isEqualTo(4003);
        assertThat(server.server().hub().sessions("1")).isEmpty();
    }

    @Test
    void topics_claim_grants_exact_topics_and_prefixes_and_nothing_else() {
        TestServer server = withAuth();
        String token = Tokens.hs256(TestServer.JWT_SECRET, Tokens.claims("carol").claim("topics", List.of("news", "orders.*")).build());
        WsClient client = server.connect("token=" + token);
        welcome(client);

        client.send("{\"type\":\"subscribe\",\"topics\":[\"news\"],\"ref\":\"1\"}");
        assertThat(client.awaitFrame(f -> f.contains("\"ref\":\"1\""))).isEqualTo("{\"type\":\"subscribed\",\"topics\":[\"news\"],\"ref\":\"1\"}");

        client.send("{\"type\":\"subscribe\",\"topics\":[\"sports\"],\"ref\":\"2\"}");
        assertThat(client.awaitFrame(f -> f.contains("\"ref\":\"2\""))).contains("\"type\":\"error\"").contains("\"code\":\"forbidden_topic\"");

        client.send("{\"type\":\"subscribe\",\"topics\":[\"orders.eu\"],\"ref\":\"3\"}");
        assertThat(client.awaitFrame(f -> f.contains("\"ref\":\"3\""))).contains("\"type\":\"subscribed\"");

        client.send("{\"type\":\"subscribe\",\"topics\":[\"orders\"],\"ref\":\"4\"}"); // the prefix is "orders.", not "orders"
        assertThat(client.awaitFrame(f -> f.contains("\"ref\":\"4\""))).contains("\"code\":\"forbidden_topic\"");

        Http.Response r = server.http().postJson("/api/v1/messages", "{\"to\":{\"topics\":[\"orders.eu\"]},\"data\":\"shipped\"}");
        assertThat(r.body()).contains("\"delivered\":1");
        assertThat(client.awaitFrame(f -> f.contains("\"type\":\"message\""))).contains("\"topic\":\"orders.eu\"").endsWith("\"data\":\"shipped\"}");
        assertThat(server.server().pushCenter().presence("carol").connections().getFirst().topics()).containsExactlyInAnyOrder("news", "orders.eu");
        assertThat(client.isClosed()).isFalse();
    }
}
