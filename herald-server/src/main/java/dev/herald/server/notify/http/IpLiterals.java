package dev.herald.server.notify.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Recognises and parses numeric host names without ever asking DNS. */
final class IpLiterals {
    /** Anything made of digits and dots looks numeric to somebody (browsers read {@code 127.1} as 127.0.0.1). */
    private static final Pattern NUMERIC = Pattern.compile("[0-9.]+|0[xX][0-9a-fA-F.xX]*");
    private static final Pattern DOTTED_QUAD = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    private IpLiterals() { }

    /** Whether {@code host} is (or pretends to be) a numeric address rather than a DNS name. */
    static boolean isLiteral(String host) {
        return NUMERIC.matcher(host).matches() || host.indexOf(':') >= 0 || host.startsWith("[");
    }

    static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /**
     * The address of a literal: a canonical dotted quad or an IPv6 literal. Short and octal/hex IPv4 forms
     * ({@code 127.1}, {@code 0x7f.0.0.1}, {@code 2130706433}) are refused: resolvers disagree about them.
     *
     * @throws IllegalArgumentException when {@code host} is not such a literal
     */
    static InetAddress parse(String host) {
        String h = unbracket(host);
        boolean ipv6 = h.indexOf(':') >= 0;
        if (!ipv6 && !DOTTED_QUAD.matcher(h).matches()) {
            throw new IllegalArgumentException("not a canonical IP address");
        }
        if (ipv6 && !h.matches("[0-9a-fA-F:.]+")) { // no zone ids (%eth0): they pick an interface
            throw new IllegalArgumentException("not a valid IPv6 address");
        }
        try {
            return InetAddress.getByName(h); // a literal with ':' or a dotted quad: Java parses it, no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a valid IP address");
        }
    }
}
