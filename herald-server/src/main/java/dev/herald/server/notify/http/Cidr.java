package dev.herald.server.notify.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An address block such as {@code 10.20.0.0/16} or {@code fd00::/8}, for the operator's allow-list of
 * outbound targets. Immutable.
 */
public record Cidr(byte[] network, int prefixLength) {
    public Cidr {
        Objects.requireNonNull(network, "network");
        if (prefixLength < 0 || prefixLength > network.length * 8) {
            throw new IllegalArgumentException("prefix length out of range");
        }
        network = network.clone();
    }

    /**
     * Parses {@code address/prefix}; a bare address is a single host. Only numeric addresses are accepted
     * (never a DNS lookup).
     *
     * @throws IllegalArgumentException when it is not a CIDR block
     */
    public static Cidr parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes;
        try {
            bytes = IpLiterals.parse(address).getAddress();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address block (e.g. 10.0.0.0/8)");
        }
        int prefix;
        try {
            prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no numeric prefix length");
        }
        if (prefix < 0 || prefix > bytes.length * 8) {
            throw new IllegalArgumentException("'" + text + "' has a prefix length out of range");
        }
        return new Cidr(bytes, prefix);
    }

    /** Whether {@code address} lies in this block (IPv4 and IPv6 blocks never match each other). */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefixLength;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
