package dev.herald.bench;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Request bodies, built once before the run so the generator spends its CPU on HTTP, not on JSON.
 * Every message goes to one user of {@code u0 … u<users-1>} (round robin; nobody is connected, so a
 * durable publish answers {@code 202 queued}) and carries {@code data} = a JSON string of
 * {@code dataBytes} ASCII letters and digits (random per body, so no two stored rows are alike).
 */
public final class Payloads {
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final byte[][] singles;
    private final byte[][] batches;

    /**
     * @param users     distinct recipients (u0 … u{users-1})
     * @param batchSize messages per batch request; {@code users} should be a multiple of it
     * @param dataBytes length of the data string (without its quotes)
     * @param persist   {@code false} adds {@code "persist":false} to every message
     */
    public Payloads(int users, int batchSize, int dataBytes, boolean persist) {
        SplittableRandom random = new SplittableRandom(42);
        String[] messages = new String[users];
        for (int u = 0; u < users; u++) {
            messages[u] = message(u, data(random, dataBytes), persist);
        }
        singles = new byte[users][];
        for (int u = 0; u < users; u++) {
            singles[u] = messages[u].getBytes(StandardCharsets.UTF_8);
        }
        int batchCount = Math.max(1, users / batchSize);
        batches = new byte[batchCount][];
        for (int b = 0; b < batchCount; b++) {
            StringBuilder sb = new StringBuilder("{\"messages\":[");
            for (int i = 0; i < batchSize; i++) {
                sb.append(i == 0 ? "" : ",").append(messages[(b * batchSize + i) % users]);
            }
            batches[b] = sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    static String message(int user, String data, boolean persist) {
        return "{\"to\":{\"users\":[\"u" + user + "\"]},\"data\":\"" + data + "\"" + (persist ? "" : ",\"persist\":false") + "}";
    }

    private static String data(SplittableRandom random, int length) {
        char[] c = new char[length];
        for (int i = 0; i < length; i++) {
            c[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(c);
    }

    /** The body of the n-th single-message request. */
    public byte[] single(long n) {
        return singles[(int) (n % singles.length)];
    }

    /** The body of the n-th batch request. */
    public byte[] batch(long n) {
        return batches[(int) (n % batches.length)];
    }

    public byte[] body(Scenario.Kind kind, long n) {
        return kind == Scenario.Kind.SINGLE ? single(n) : batch(n);
    }
}
