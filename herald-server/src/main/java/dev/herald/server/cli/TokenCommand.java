package dev.herald.server.cli;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.herald.server.config.HeraldConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code herald token}: mints an HS256 client token, for trying Herald out and for scripts. Real
 * deployments mint tokens in the business back-end with its own JWT library.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Prints an HS256 JWT for a user, signed with auth.jwt-secret (from --secret or HERALD_AUTH_JWT_SECRET).")
public final class TokenCommand implements Callable<Integer> {
    /** Ten years: longer is a typo (and past Instant's range for absurd values), not a lifetime. */
    static final long MAX_TTL_SECONDS = 10L * 366 * 24 * 3600;

    @Option(names = "--sub", required = true, paramLabel = "UID", description = "User id (the token's sub).")
    String subject;

    @Option(names = "--secret", paramLabel = "SECRET", description = "HS256 secret; default: env HERALD_AUTH_JWT_SECRET.")
    String secret;

    @Option(names = "--ttl", paramLabel = "SECONDS", defaultValue = "3600", description = "Lifetime in seconds, at least 1. Default: ${DEFAULT-VALUE}.")
    long ttlSeconds;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Topic the user may subscribe to (repeatable; 'orders.*' grants a prefix).")
    List<String> topics = List.of();

    @Option(names = "--issuer", description = "iss claim.")
    String issuer;

    @Option(names = "--audience", description = "aud claim.")
    String audience;

    @Override
    public Integer call() {
        String key = secret != null ? secret : System.getenv("HERALD_AUTH_JWT_SECRET");
        if (key == null || key.getBytes(StandardCharsets.UTF_8).length < HeraldConfig.MIN_JWT_SECRET_BYTES) {
            System.err.println("herald: token needs --secret or HERALD_AUTH_JWT_SECRET of at least " + HeraldConfig.MIN_JWT_SECRET_BYTES + " bytes");
            return HeraldCommand.EXIT_CONFIG;
        }
        if (ttlSeconds <= 0 || ttlSeconds > MAX_TTL_SECONDS) {
            // a token with --ttl 0 or less is born expired: every server would refuse it with 4001
            System.err.println("herald token: --ttl must be between 1 and " + MAX_TTL_SECONDS + " seconds (10 years)");
            return HeraldCommand.EXIT_CONFIG;
        }
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofSeconds(ttlSeconds))));
        if (!topics.isEmpty()) {
            claims.claim("topics", topics);
        }
        if (issuer != null) {
            claims.issuer(issuer);
        }
        if (audience != null) {
            claims.audience(audience);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(new MACSigner(key.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            System.err.println("herald: cannot sign: " + e.getMessage());
            return HeraldCommand.EXIT_FAILURE;
        }
        System.out.println(jwt.serialize());
        return HeraldCommand.EXIT_OK;
    }
}
