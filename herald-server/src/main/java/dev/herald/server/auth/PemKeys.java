package dev.herald.server.auth;

import dev.herald.server.config.ConfigException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** Reads an RSA or EC public key from a PEM file ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo). */
public final class PemKeys {
    private PemKeys() { }

    public static PublicKey readPublicKey(Path path) {
        String pem;
        try {
            pem = Files.readString(path);
        } catch (IOException e) {
            throw new ConfigException("auth.jwt-public-key: cannot read " + path + ": " + e.getMessage());
        }
        return parsePublicKey(pem, "auth.jwt-public-key (" + path + ")");
    }

    public static PublicKey parsePublicKey(String pem, String what) {
        int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = pem.indexOf("-----END PUBLIC KEY-----");
        if (begin < 0 || end < begin) {
            throw new ConfigException(what + ": expected a PEM '-----BEGIN PUBLIC KEY-----' block");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(what + ": the PEM block is not valid base64");
        }
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException ignored) {
                // try the next key type
            }
        }
        throw new ConfigException(what + ": not an RSA or EC public key");
    }
}
