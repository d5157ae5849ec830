package dev.herald.core.message;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Monotonic ULIDs: 26 Crockford base-32 characters, 48 bits of milliseconds then 80 random bits.
 * Ids sort by creation time as plain strings; within one millisecond the random part is incremented,
 * so ids made by one generator are strictly increasing. Thread-safe.
 */
public final class MessageIds {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    /**
     * Random ids drawn per call cost a {@link SecureRandom} call each (synchronized, a digest step): at a few
     * thousand messages per second every message starts a new millisecond and paid it. The same generator fills this
     * pool of bytes at once instead (guarded by {@link #lock}); each millisecond takes the next 10 bytes of it.
     */
    private final byte[] pool = new byte[10 * 64];
    private int pooled;
    private final SecureRandom random = new SecureRandom();
    private final ReentrantLock lock = new ReentrantLock();
    private long lastMillis = -1;
    private long randomHigh; // 16 bits
    private long randomLow;  // 64 bits

    public String next(long nowMillis) {
        long millis;
        long high;
        long low;
        lock.lock();
        try {
            if (nowMillis > lastMillis) {
                lastMillis = nowMillis;
                if (pooled == 0) {
                    random.nextBytes(pool);
                    pooled = pool.length;
                }
                int at = pool.length - pooled;
                pooled -= 10;
                randomHigh = ((pool[at] & 0xffL) << 8) | (pool[at + 1] & 0xffL);
                long bits = 0;
                for (int i = at + 2; i < at + 10; i++) {
                    bits = (bits << 8) | (pool[i] & 0xffL);
                }
                randomLow = bits;
            } else if (++randomLow == 0 && ++randomHigh == (1 << 16)) {
                // 80-bit overflow within one millisecond (practically impossible): borrow the next ms
                lastMillis++;
                randomHigh = 0;
            }
            millis = lastMillis;
            high = randomHigh;
            low = randomLow;
        } finally {
            lock.unlock();
        }
        return encode(millis, high, low);
    }

    /**
     * Whether {@code s} has the shape of an id (26 Crockford base-32 characters, upper case, starting
     * with 0-7): what a {@code since} cursor must be. Says nothing about whether such a message exists.
     */
    public static boolean isValid(String s) {
        if (s == null || s.length() != 26 || s.charAt(0) > '7') {
            return false;
        }
        for (int i = 0; i < 26; i++) {
            char c = s.charAt(i);
            boolean digit = c >= '0' && c <= '9';
            boolean letter = c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U';
            if (!digit && !letter) {
                return false;
            }
        }
        return true;
    }

    /**
     * The smallest id of millisecond {@code millis}: every id taken at that millisecond or later sorts at or after it,
     * every id taken before sorts before it (ids sort as plain strings). Lets a store bound a scan by time.
     */
    public static String firstAt(long millis) {
        return encode(millis, 0, 0);
    }

    static String encode(long millis, long high16, long low64) {
        byte[] out = new byte[26]; // ASCII: a byte each (a char[] would be twice the garbage, then copied alike)
        for (int i = 9; i >= 0; i--) {
            out[i] = (byte) ALPHABET[(int) (millis & 31)];
            millis >>>= 5;
        }
        // 80 random bits = high16:low64, written as 16 groups of 5 bits from the end
        for (int i = 25; i >= 10; i--) {
            out[i] = (byte) ALPHABET[(int) (low64 & 31)];
            low64 = (low64 >>> 5) | ((high16 & 31) << 59);
            high16 >>>= 5;
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }
}
