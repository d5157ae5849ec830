package dev.herald.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The configured API keys, compared in constant time. Keys are hashed first (SHA-256) so the
 * comparison also does not leak their length; every configured key is checked, whichever matches.
 */
public final class ApiKeys {
    private final List<byte[]> digests;

    public ApiKeys(List<String> keys) {
        this.digests = keys.stream().map(ApiKeys::sha256).toList();
    }

    public boolean isEmpty() {
        return digests.isEmpty();
    }

    /** Whether {@code presented} is one of the keys. Time does not depend on which key or how much matched. */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        byte[] candidate = sha256(presented);
        boolean match = false;
        for (byte[] digest : digests) {
            match |= MessageDigest.isEqual(digest, candidate);
        }
        return match;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}
