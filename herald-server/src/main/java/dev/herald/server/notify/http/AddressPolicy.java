package dev.herald.server.notify.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Decides which outbound targets Herald may contact, so that an API caller who names a webhook or robot URL
 * cannot make the server reach into its own network (SSRF): the loopback interface, the cloud metadata
 * service at 169.254.169.254, private and carrier-grade NAT ranges, multicast, "this network".
 *
 * <p>Checked twice: {@link #checkUrl} when a destination is accepted (a literal IP in the URL is judged at
 * once), and {@link #allows} for every address a host name resolves to, at send time, by
 * {@link OutboundHttp}, which then connects to exactly the address it checked (a DNS answer that changes
 * between check and connect, "DNS rebinding", gains nothing).
 *
 * <p>Refused unless configured otherwise: loopback ({@code allowLoopback}), private ranges 10/8, 172.16/12,
 * 192.168/16, 100.64/10, fc00::/7 and the old site-local fec0::/10 ({@code allowPrivate}). Always refused
 * unless a block of the allow-list contains the address: link-local 169.254/16 and fe80::/10 (metadata
 * services), 0.0.0.0/8 and {@code ::}, multicast, 240/4 and broadcast, 192.0.0/24, 198.18/15. An IPv6
 * address that embeds an IPv4 one (IPv4-mapped {@code ::ffff:a.b.c.d}, IPv4-compatible, NAT64
 * {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}) is judged by its IPv4 address as well. Immutable and
 * thread-safe.
 */
public final class AddressPolicy {
    /** URLs longer than this are refused: no endpoint needs more, and URLs end up in stores and logs (redacted). */
    public static final int MAX_URL_LENGTH = 2048;

    private static final Cidr CGNAT = Cidr.parse("100.64.0.0/10");
    private static final Cidr IETF_PROTOCOL = Cidr.parse("192.0.0.0/24");
    private static final Cidr BENCHMARKING = Cidr.parse("198.18.0.0/15");
    private static final Cidr RESERVED = Cidr.parse("240.0.0.0/4");
    private static final Cidr THIS_NETWORK = Cidr.parse("0.0.0.0/8");
    private static final Cidr UNIQUE_LOCAL = Cidr.parse("fc00::/7");
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

    private final boolean allowLoopback;
    private final boolean allowPrivate;
    private final List<Cidr> allowed;

    /**
     * @param allowLoopback also allow 127/8 and ::1 (tests, a receiver on the same machine)
     * @param allowPrivate  also allow the private and CGNAT ranges (an intranet deployment)
     * @param allowed       blocks allowed whatever their kind (e.g. one internal service's subnet)
     */
    public AddressPolicy(boolean allowLoopback, boolean allowPrivate, List<Cidr> allowed) {
        this.allowLoopback = allowLoopback;
        this.allowPrivate = allowPrivate;
        this.allowed = List.copyOf(allowed);
    }

    /** The production default: public addresses only. */
    public static AddressPolicy publicOnly() {
        return new AddressPolicy(false, false, List.of());
    }

    /** Public addresses and loopback (tests with a local receiver). */
    public static AddressPolicy allowingLoopback() {
        return new AddressPolicy(true, false, List.of());
    }

    /**
     * Every address, loopback and link-local included: only for a destination the operator configured (the
     * receipt webhook, {@code receipts.webhook-url}), never for one an API caller names.
     */
    public static AddressPolicy anyAddress() {
        return new AddressPolicy(true, true, List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0")));
    }

    /**
     * Parses and checks an outbound URL: http or https, a host, no user info, at most
     * {@link #MAX_URL_LENGTH} characters, and a literal IP host must be {@link #allows allowed}.
     * Host names are not resolved here (that happens at send time).
     *
     * @return the parsed URL
     * @throws IllegalArgumentException with a reason that never repeats the URL (it may hold a token)
     */
    public URI checkUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("is required");
        }
        if (url.length() > MAX_URL_LENGTH) {
            throw new IllegalArgumentException("is longer than " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("must be an http or https URL");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("must not contain user info (user:password@)");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("has no host");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("must not contain a fragment (#…)");
        }
        if (IpLiterals.isLiteral(host)) {
            InetAddress literal = IpLiterals.parse(host);
            if (!allows(literal)) {
                throw new IllegalArgumentException("points to an address that is not allowed (" + kind(literal) + ")");
            }
        }
        return uri;
    }

    /** Whether Herald may connect to {@code address}. */
    public boolean allows(InetAddress address) {
        for (Cidr block : allowed) {
            if (block.contains(address)) {
                return true;
            }
        }
        Inet4Address embedded = embeddedIpv4(address);
        if (embedded != null && !allows(embedded)) {
            return false;
        }
        return switch (kind(address)) {
            case PUBLIC -> true;
            case LOOPBACK -> allowLoopback;
            case PRIVATE -> allowPrivate;
            case LINK_LOCAL, UNSPECIFIED, MULTICAST, RESERVED -> false;
        };
    }

    /** What sort of address this is, for decisions and for error messages. */
    public enum Kind { PUBLIC, LOOPBACK, PRIVATE, LINK_LOCAL, UNSPECIFIED, MULTICAST, RESERVED;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    static Kind kind(InetAddress a) {
        if (a.isLoopbackAddress()) {
            return Kind.LOOPBACK;
        }
        if (a.isAnyLocalAddress() || THIS_NETWORK.contains(a)) {
            return Kind.UNSPECIFIED;
        }
        if (a.isLinkLocalAddress()) {
            return Kind.LINK_LOCAL;
        }
        if (a.isMulticastAddress()) {
            return Kind.MULTICAST;
        }
        if (a.isSiteLocalAddress() || CGNAT.contains(a) || UNIQUE_LOCAL.contains(a)) {
            return Kind.PRIVATE;
        }
        if (IETF_PROTOCOL.contains(a) || BENCHMARKING.contains(a) || RESERVED.contains(a)) {
            return Kind.RESERVED;
        }
        if (a instanceof Inet6Address && a.getAddress()[0] == 0 && embeddedIpv4(a) == null) {
            return Kind.RESERVED; // ::/8 holds nothing routable besides the forms handled above
        }
        return Kind.PUBLIC;
    }

    /** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), or {@code null}. */
    static Inet4Address embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return null; // Java already turns ::ffff:a.b.c.d into an Inet4Address
        }
        byte[] b = address.getAddress();
        int from;
        if (isZero(b, 0, 10) && ((b[10] == 0 && b[11] == 0) || (b[10] == (byte) 0xff && b[11] == (byte) 0xff))) {
            if (b[10] == 0 && isZero(b, 12, 15) && (b[15] == 0 || b[15] == 1)) {
                return null; // :: and ::1 themselves
            }
            from = 12;
        } else if (NAT64.contains(address)) {
            from = 12;
        } else if (SIX_TO_FOUR.contains(address)) {
            from = 2;
        } else {
            return null;
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {b[from], b[from + 1], b[from + 2], b[from + 3]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "AddressPolicy[allowLoopback=" + allowLoopback + ", allowPrivate=" + allowPrivate + ", allowed=" + allowed + "]";
    }
}
