package dev.herald.server.pusher;

import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Verifies the Pusher HTTP API's request signature: the query carries {@code auth_key}, {@code auth_timestamp}
 * (within {@value #MAX_SKEW_SECONDS} s of now), {@code auth_version=1.0}, {@code body_md5} (hex MD5 of a non-empty
 * body) and {@code auth_signature}, the hex HMAC-SHA256 of {@code METHOD\nPATH\n} followed by every other parameter,
 * keys lower-cased and sorted, joined as {@code k=v&…} with the values decoded. Any failure is 401, as Pusher answers.
 */
final class RequestSigning {
    static final long MAX_SKEW_SECONDS = 600;

    private final PusherSignatures signatures;

    RequestSigning(PusherSignatures signatures) {
        this.signatures = signatures;
    }

    /** Checks the request; returns its decoded query parameters (the signed ones included). */
    Map<String, String> verify(String method, String uri, byte[] body, long nowSeconds) {
        QueryStringDecoder decoder = new QueryStringDecoder(uri, StandardCharsets.UTF_8, true, 1024);
        TreeMap<String, String> params = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : decoder.parameters().entrySet()) {
            if (e.getValue().size() != 1) {
                throw ErrorCode.INVALID_REQUEST.exception("query parameter " + e.getKey() + " is given more than once");
            }
            params.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().get(0));
        }
        if (!signatures.key().equals(params.get("auth_key"))) {
            throw unauthorized("auth_key is not this app's key");
        }
        if (!"1.0".equals(params.get("auth_version"))) {
            throw unauthorized("auth_version must be 1.0");
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(params.getOrDefault("auth_timestamp", ""));
        } catch (NumberFormatException e) {
            throw unauthorized("auth_timestamp must be Unix seconds");
        }
        if (Math.abs(nowSeconds - timestamp) > MAX_SKEW_SECONDS) {
            throw unauthorized("auth_timestamp is more than " + MAX_SKEW_SECONDS + " s away from the server's clock");
        }
        if (body != null && body.length > 0) {
            String md5 = params.get("body_md5");
            if (md5 == null || !MessageDigest.isEqual(md5(body).getBytes(StandardCharsets.US_ASCII),
                    md5.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
                throw unauthorized("body_md5 does not match the body");
            }
        }
        String signature = params.get("auth_signature");
        if (!signatures.verify(stringToSign(method, decoder.path(), params), signature)) {
            throw unauthorized("auth_signature does not match (METHOD\\nPATH\\nsorted query, HMAC-SHA256 with the app secret)");
        }
        return params;
    }

    /** {@code METHOD\nPATH\nk=v&…}, every parameter but {@code auth_signature}, in key order. */
    static String stringToSign(String method, String path, Map<String, String> params) {
        StringBuilder sb = new StringBuilder(method.toUpperCase(Locale.ROOT)).append('\n').append(path).append('\n');
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(params).entrySet()) {
            if (e.getKey().equals("auth_signature")) {
                continue;
            }
            if (!first) {
                sb.append('&');
            }
            sb.append(e.getKey()).append('=').append(e.getValue());
            first = false;
        }
        return sb.toString();
    }

    static String md5(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }

    private static HeraldException unauthorized(String why) {
        return ErrorCode.UNAUTHORIZED.exception("Pusher request signature: " + why);
    }
}
