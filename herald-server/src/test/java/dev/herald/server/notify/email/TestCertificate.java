package dev.herald.server.notify.email;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate (by default for {@code 127.0.0.1} and {@code localhost}), made with the JDK's own keytool: the
 * server side of the TLS tests, and (as a PEM file) what a client may be told to trust.
 *
 * @param keyStore the PKCS#12 key store with the key and certificate
 * @param pem      the certificate alone, PEM-encoded
 */
record TestCertificate(Path keyStore, Path pem) {
    static final String PASSWORD = "test-only";

    static TestCertificate create(Path dir) throws IOException, InterruptedException {
        return create(dir, "ip:127.0.0.1,dns:localhost");
    }

    /** A certificate for other names ({@code subjectAltNames} in keytool's form, e.g. {@code dns:mail.example.com}). */
    static TestCertificate create(Path dir, String subjectAltNames) throws IOException, InterruptedException {
        String name = "smtp-test-" + Integer.toHexString(subjectAltNames.hashCode());
        Path keyStore = dir.resolve(name + ".p12");
        Path pem = dir.resolve(name + ".pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(keytool, "-genkeypair", "-alias", "smtp", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=" + subjectAltNames, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", PASSWORD));
        run(List.of(keytool, "-exportcert", "-rfc", "-alias", "smtp", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-file", pem.toString()));
        return new TestCertificate(keyStore, pem);
    }

    /** A server-side TLS context presenting this certificate. */
    SSLContext serverContext() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
    }
}
