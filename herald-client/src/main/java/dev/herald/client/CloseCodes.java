package dev.herald.client;

import java.util.Set;

/** The reconnect column of docs/protocol.md's close-code table. */
final class CloseCodes {
    /** The network or the peer went away without a close frame; also used when the client gives up on a connection. */
    static final int ABNORMAL = 1006;
    static final int NORMAL = 1000;
    static final int UNAUTHORIZED = 4001;
    /** Reconnecting cannot help until something changes (a fixed client, an operator's decision, a closed tab). */
    private static final Set<Integer> NO_RECONNECT = Set.of(1002, 1003, 1007, 1009, 4001, 4003, 4004, 4006, 4009);

    private CloseCodes() { }

    /**
     * Whether to reconnect after a close with {@code code}: yes for 1000, 1001, 1006, 4002, 4008, 4010, 4029, 4500 and
     * codes this client does not know; no for the others, except one 4001 when tokens come from a supplier, which may
     * hand out a fresh one (a second 4001 in a row means the supplier's tokens are refused).
     */
    static boolean reconnectAfter(int code, boolean tokenSupplier, Integer previousCode) {
        if (code == UNAUTHORIZED) {
            return tokenSupplier && (previousCode == null || previousCode != UNAUTHORIZED);
        }
        return !NO_RECONNECT.contains(code);
    }
}
