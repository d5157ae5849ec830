package dev.herald.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimNames;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.herald.core.auth.Authenticator;
import dev.herald.core.auth.Principal;
import dev.herald.core.message.UserIds;
import dev.herald.server.config.ConfigException;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies client JWTs. The accepted algorithms are exactly those whose key is configured: HS256
 * with {@code auth.jwt-secret}, RS256 with an RSA public key, ES256 with an EC P-256 key. Each
 * algorithm is bound to its own key, so {@code alg:none} and HS/RS key confusion (an HMAC signed
 * with the public key) are refused. {@code sub} is the user id; {@code exp} is required,
 * {@code nbf}, {@code iss} and {@code aud} are checked; {@code sub} (and {@code iss} when checked) must be JSON strings; a {@code topics} claim grants topics.
 * Thread-safe, no I/O.
 */
public final class JwtAuthenticator implements Authenticator {
    private final Map<Alg, JWSVerifier> verifiers = new EnumMap<>(Alg.class);
    private final String issuer;
    private final String audience;
    private final Duration leeway;
    private final Clock clock;

    private enum Alg { HS256, RS256, ES256 }

    public JwtAuthenticator(String secret, PublicKey publicKey, String issuer, String audience, Duration leeway, Clock clock) {
        try {
            if (secret != null && !secret.isEmpty()) {
                verifiers.put(Alg.HS256, new MACVerifier(secret.getBytes(StandardCharsets.UTF_8)));
            }
            if (publicKey instanceof RSAPublicKey rsa) {
                verifiers.put(Alg.RS256, new RSASSAVerifier(rsa));
            } else if (publicKey instanceof ECPublicKey ec) {
                verifiers.put(Alg.ES256, new ECDSAVerifier(ec));
            }
        } catch (JOSEException e) {
            throw new ConfigException("auth: JWT key rejected: " + e.getMessage());
        }
        if (verifiers.isEmpty()) {
            throw new ConfigException("auth.jwt-secret or auth.jwt-public-key: no JWT key configured");
        }
        this.issuer = issuer == null || issuer.isEmpty() ? null : issuer;
        this.audience = audience == null || audience.isEmpty() ? null : audience;
        this.leeway = leeway;
        this.clock = clock;
    }

    @Override
    public Principal authenticate(String token) throws AuthenticationException {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw refused("token is not a signed JWT");
        }
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        if (algorithm == null) {
            throw refused("token has no alg");
        }
        JWSVerifier verifier = verifierFor(algorithm);
        try {
            if (!jwt.verify(verifier)) {
                throw refused("token signature is invalid");
            }
        } catch (JOSEException e) {
            throw refused("token signature cannot be verified");
        }
        Map<String, Object> json;
        JWTClaimsSet claims;
        try {
            json = jwt.getPayload().toJSONObject();
            claims = json == null ? null : JWTClaimsSet.parse(json);
        } catch (ParseException | RuntimeException e) {
            throw refused("token claims are not a valid JSON object");
        }
        if (claims == null) {
            throw refused("token claims are not a valid JSON object");
        }
        checkTimes(claims);
        if (issuer != null && !(json.get(JWTClaimNames.ISSUER) instanceof String iss && issuer.equals(iss))) {
            throw refused("token issuer is not accepted");
        }
        if (audience != null && (claims.getAudience() == null || !claims.getAudience().contains(audience))) {
            throw refused("token audience is not accepted");
        }
        // the raw claim, not getSubject(): nimbus turns a number into a string, and {"sub":42} is not the user "42"
        if (!(json.get(JWTClaimNames.SUBJECT) instanceof String subject) || !UserIds.isValid(subject)) {
            throw refused("token has no valid sub (user id)");
        }
        return new Principal(subject, topics(claims));
    }

    private JWSVerifier verifierFor(JWSAlgorithm algorithm) throws AuthenticationException {
        Alg alg;
        try {
            alg = Alg.valueOf(algorithm.getName());
        } catch (IllegalArgumentException e) {
            // the name is not repeated: it is the client's text (error messages and logs never quote client input)
            throw refused("token algorithm is not accepted (HS256, RS256 or ES256, whichever has a key configured)");
        }
        JWSVerifier verifier = verifiers.get(alg);
        if (verifier == null) {
            throw refused("token algorithm " + alg + " is not accepted (no key configured for it)");
        }
        return verifier;
    }

    private void checkTimes(JWTClaimsSet claims) throws AuthenticationException {
        Date now = Date.from(clock.instant());
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw refused("token has no exp");
        }
        if (now.getTime() - leeway.toMillis() >= exp.getTime()) {
            throw refused("token has expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.getTime() + leeway.toMillis() < nbf.getTime()) {
            throw refused("token is not valid yet (nbf)");
        }
    }

    private static List<String> topics(JWTClaimsSet claims) throws AuthenticationException {
        Object value = claims.getClaim("topics");
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
            return list.stream().map(String.class::cast).toList();
        }
        throw refused("token topics claim must be an array of strings");
    }

    private static AuthenticationException refused(String why) {
        return new AuthenticationException(why, false);
    }

    @Override
    public Principal authenticateUid(String uid) throws AuthenticationException {
        throw new AuthenticationException("bare uid login is refused: authentication is configured, use a token", true);
    }

    @Override
    public boolean devMode() {
        return false;
    }

    /** For diagnostics: which algorithms are accepted. */
    public Map<String, Boolean> algorithms() {
        Map<String, Boolean> out = new HashMap<>();
        for (Alg a : Alg.values()) {
            out.put(a.name(), verifiers.containsKey(a));
        }
        return out;
    }
}
