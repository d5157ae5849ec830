package dev.herald.server.pusher;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The app's HMAC-SHA256 signatures, hex encoded, as Pusher defines them: channel auth ({@code socket_id:channel} and,
 * for presence, {@code :channel_data}), user sign-in ({@code socket_id::user::user_data}), the HTTP API's request
 * signature and webhook bodies. Every comparison is constant-time, so a client cannot learn a signature byte by byte.
 * Thread-safe: a {@link Mac} is made per call (they are not thread-safe, and cheap next to a network round trip).
 */
public final class PusherSignatures {
    private final String key;
    private final SecretKeySpec secret;

    public PusherSignatures(String key, String secret) {
        this.key = key;
        this.secret = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    public String key() {
        return key;
    }

    /** Hex HMAC-SHA256 of {@code text} with the app secret. */
    public String sign(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secret);
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    /** Whether {@code signature} is the hex signature of {@code text} (constant-time, case-insensitive hex). */
    public boolean verify(String text, String signature) {
        if (signature == null) {
            return false;
        }
        return MessageDigest.isEqual(sign(text).getBytes(StandardCharsets.US_ASCII),
                signature.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    /** Whether an auth string {@code <key>:<hex signature>} is this app's signature of {@code text}. */
    public boolean verifyAuth(String auth, String text) {
        if (auth == null) {
            return false;
        }
        int colon = auth.indexOf(':');
        if (colon < 0) {
            return false;
        }
        boolean keyMatches = MessageDigest.isEqual(auth.substring(0, colon).getBytes(StandardCharsets.UTF_8),
                key.getBytes(StandardCharsets.UTF_8));
        return verify(text, auth.substring(colon + 1)) & keyMatches;
    }

    /** The string a private channel's auth signs. */
    public static String channelText(String socketId, String channel) {
        return socketId + ":" + channel;
    }

    /** The string a presence channel's auth signs. */
    public static String presenceText(String socketId, String channel, String channelData) {
        return socketId + ":" + channel + ":" + channelData;
    }

    /** The string a user sign-in's auth signs. */
    public static String userText(String socketId, String userData) {
        return socketId + "::user::" + userData;
    }
}
