package dev.executor.secrets.service;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

import dev.executor.secrets.EgressRule;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Decides where a request through a connection may go (DESIGN.md §3 rule 2).
 *
 * <ol>
 * <li>Only {@code http}/{@code https} URLs without user info.</li>
 * <li>The host (and port; no port means the scheme's default) must match one of the source's
 * declared hosts ({@code api.example.com}, {@code *.example.com}, {@code host:8443}) or an explicit
 * egress rule.</li>
 * <li>The host is resolved here, and every candidate address is checked: a private, loopback,
 * link-local, multicast, CGNAT, reserved or unspecified address (IPv4 or IPv6, including IPv4
 * embedded in IPv6) is refused unless an egress rule covers it (a CIDR or IP containing it, or a
 * rule naming exactly this host). Declared hosts alone never open a private address, so a public
 * name that resolves, or is re-bound, to an internal address is refused.</li>
 * <li>The request is then sent to the checked address itself (see {@link Target#address()}), never
 * re-resolved, which defeats DNS rebinding between check and connect.</li>
 * </ol>
 * Thread-safe and non-blocking: DNS lookups run on the worker pool.
 */
public final class EgressGuard {

    /** A checked destination: connect to {@code address}, present {@code host} (Host header, TLS SNI). */
    public record Target(URI uri, String host, int port, boolean tls, InetAddress address) {

        /** Same host and port, and no downgrade from https to http. */
        public boolean sameOrigin(URI next) {
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            boolean nextTls = scheme.equals("https");
            if (tls && !nextTls) {
                return false;
            }
            return host.equals(normalizeHost(next.getHost())) && port == effectivePort(next);
        }
    }

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final Function<String, Uni<List<InetAddress>>> resolver;

    /** Resolves names with the JVM resolver, on the worker pool. */
    public EgressGuard() {
        this(host -> Uni.createFrom().item(() -> {
            try {
                return List.of(InetAddress.getAllByName(host));
            } catch (UnknownHostException e) {
                return List.<InetAddress>of();
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()));
    }

    /** With a given resolver (tests: rebinding, split-horizon answers). */
    public EgressGuard(Function<String, Uni<List<InetAddress>>> resolver) {
        this.resolver = resolver;
    }

    /**
     * Checks {@code url} against the connection's declared {@code hosts} and {@code egress} rules
     * and picks the address to connect to; fails with {@code EGRESS_DENIED}.
     */
    public Uni<Target> check(String url, List<String> hosts, List<EgressRule> egress, String label) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(ProxyException.invalid("request.url is not a valid absolute URL"));
        }
        return check(uri, hosts, egress, label);
    }

    public Uni<Target> check(URI uri, List<String> hosts, List<EgressRule> egress, String label) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Uni.createFrom().failure(ProxyException.invalid("request.url must be an absolute http(s) URL"));
        }
        if (uri.getRawUserInfo() != null) {
            return Uni.createFrom().failure(ProxyException.invalid("request.url must not carry user info; the connection supplies credentials"));
        }
        String host = normalizeHost(uri.getHost());
        if (host == null || host.isEmpty()) {
            return Uni.createFrom().failure(ProxyException.invalid("request.url has no host"));
        }
        int port = effectivePort(uri);
        boolean tls = scheme.equals("https");
        if (!nameAllowed(host, port, tls, hosts, egress)) {
            return Uni.createFrom().failure(ProxyException.egressDenied("connection " + label + " may not send to " + host
                    + (port == defaultPort(tls) ? "" : ":" + port) + ": it is not a declared host of the source"
                    + " nor allowed by an egress rule (declared: " + hosts + ")"));
        }
        Uni<List<InetAddress>> addresses = isLiteral(host)
                ? Uni.createFrom().item(List.of(literal(host)))
                : resolver.apply(host);
        return addresses.map(list -> {
            if (list.isEmpty()) {
                throw new ProxyException(dev.executor.contracts.ErrorReasons.UPSTREAM_ERROR, "host " + host + " does not resolve");
            }
            for (InetAddress address : list) {
                if (!isRestricted(address) || ruleCovers(address, host, port, tls, egress)) {
                    return new Target(uri, host, port, tls, address);
                }
            }
            throw ProxyException.egressDenied("connection " + label + " may not send to " + host + ": it resolves to "
                    + list.get(0).getHostAddress() + ", a private, loopback, link-local or reserved address that no egress rule allows");
        });
    }

    /** Whether the name (before resolution) is a declared host or allowed by a rule. */
    static boolean nameAllowed(String host, int port, boolean tls, List<String> hosts, List<EgressRule> egress) {
        for (String declared : hosts) {
            HostPattern p = HostPattern.parse(declared);
            if (p.matchesName(host) && p.matchesPort(port, tls)) {
                return true;
            }
        }
        for (EgressRule rule : egress) {
            HostPattern p = HostPattern.of(rule.host(), rule.port());
            if (p.matchesPort(port, tls) && (p.matchesName(host) || (isLiteral(host) && p.containsAddress(literal(host))))) {
                return true;
            }
        }
        return false;
    }

    /** Whether an egress rule opens this (restricted) address. */
    static boolean ruleCovers(InetAddress address, String host, int port, boolean tls, List<EgressRule> egress) {
        for (EgressRule rule : egress) {
            HostPattern p = HostPattern.of(rule.host(), rule.port());
            if (!p.matchesPort(port, tls)) {
                continue;
            }
            if (p.containsAddress(address) || (!p.isAddress() && !p.wildcard() && p.name().equals(host))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Private, loopback, link-local, multicast, unspecified, CGNAT, benchmarking, documentation and
     * reserved ranges, in IPv4 and IPv6 (IPv4-mapped, NAT64, 6to4 and Teredo checked by the
     * embedded IPv4 address or refused outright).
     */
    public static boolean isRestricted(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return isRestrictedV4(b);
        }
        if (a instanceof Inet6Address) {
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            if ((b0 & 0xfe) == 0xfc) {
                return true; // fc00::/7 unique local
            }
            boolean firstTenZero = true;
            for (int i = 0; i < 10; i++) {
                firstTenZero &= b[i] == 0;
            }
            if (firstTenZero && (((b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) || (b[10] == 0 && b[11] == 0))) {
                return true; // IPv4-mapped ::ffff:0:0/96 and IPv4-compatible ::/96
            }
            if (b0 == 0x00 && b1 == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
                return isRestrictedV4(new byte[] { b[12], b[13], b[14], b[15] }); // 64:ff9b::/96 NAT64
            }
            if (b0 == 0x20 && b1 == 0x02) {
                return isRestrictedV4(new byte[] { b[2], b[3], b[4], b[5] }); // 2002::/16 6to4
            }
            if (b0 == 0x20 && b1 == 0x01 && b[2] == 0 && b[3] == 0) {
                return true; // 2001::/32 Teredo
            }
            if (b0 == 0x20 && b1 == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
                return true; // 2001:db8::/32 documentation
            }
            return false;
        }
        return true;
    }

    private static boolean isRestrictedV4(byte[] b) {
        int b0 = b[0] & 0xff;
        int b1 = b[1] & 0xff;
        int b2 = b[2] & 0xff;
        return b0 == 0 || b0 == 10 || b0 == 127
                || (b0 == 100 && (b1 & 0xc0) == 64) // 100.64.0.0/10 CGNAT
                || (b0 == 169 && b1 == 254)
                || (b0 == 172 && (b1 & 0xf0) == 16)
                || (b0 == 192 && b1 == 168)
                || (b0 == 192 && b1 == 0 && (b2 == 0 || b2 == 2))
                || (b0 == 198 && (b1 & 0xfe) == 18) // 198.18.0.0/15 benchmarking
                || (b0 == 198 && b1 == 51 && b2 == 100)
                || (b0 == 203 && b1 == 0 && b2 == 113)
                || b0 >= 224; // multicast, 240.0.0.0/4 reserved, broadcast
    }

    static String normalizeHost(String host) {
        if (host == null) {
            return null;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (isLiteral(h)) {
            h = literal(h).getHostAddress();
        }
        return h;
    }

    static int effectivePort(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return defaultPort("https".equalsIgnoreCase(uri.getScheme()));
    }

    static int defaultPort(boolean tls) {
        return tls ? 443 : 80;
    }

    static boolean isLiteral(String host) {
        return IPV4.matcher(host).matches() || host.indexOf(':') >= 0;
    }

    static InetAddress literal(String host) {
        try {
            return InetAddress.getByName(host); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw ProxyException.invalid("not an IP address: " + host);
        }
    }

    /** A declared host or rule host: name, {@code *.suffix}, IP, or CIDR; with an optional port. */
    record HostPattern(String name, boolean wildcard, InetAddress network, int prefix, Integer port) {

        static HostPattern parse(String declared) {
            String d = declared.trim().toLowerCase(Locale.ROOT);
            Integer port = null;
            if (d.startsWith("[")) {
                int close = d.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("bad host " + declared);
                }
                if (d.length() > close + 1 && d.charAt(close + 1) == ':') {
                    port = Integer.parseInt(d.substring(close + 2));
                }
                d = d.substring(1, close);
            } else if (d.indexOf(':') > 0 && d.indexOf(':') == d.lastIndexOf(':')) {
                port = Integer.parseInt(d.substring(d.indexOf(':') + 1));
                d = d.substring(0, d.indexOf(':'));
            }
            return of(d, port);
        }

        static HostPattern of(String host, Integer port) {
            String h = host.trim().toLowerCase(Locale.ROOT);
            if (port != null && (port < 1 || port > 65535)) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            int slash = h.indexOf('/');
            if (slash > 0) {
                InetAddress net = literal(h.substring(0, slash));
                int prefix = Integer.parseInt(h.substring(slash + 1));
                if (prefix < 0 || prefix > net.getAddress().length * 8) {
                    throw new IllegalArgumentException("bad CIDR prefix in " + host);
                }
                return new HostPattern(null, false, net, prefix, port);
            }
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            }
            if (isLiteral(h)) {
                InetAddress a = literal(h);
                return new HostPattern(a.getHostAddress(), false, a, a.getAddress().length * 8, port);
            }
            if (h.endsWith(".")) {
                h = h.substring(0, h.length() - 1);
            }
            boolean wildcard = h.startsWith("*.");
            String name = wildcard ? h.substring(2) : h;
            if (!name.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
                throw new IllegalArgumentException("not a host name, IP address or CIDR block: " + host);
            }
            return new HostPattern(name, wildcard, null, 0, port);
        }

        boolean isAddress() {
            return network != null;
        }

        boolean matchesName(String host) {
            if (isAddress()) {
                return isLiteral(host) && prefix == network.getAddress().length * 8 && containsAddress(literal(host));
            }
            return wildcard ? host.endsWith("." + name) : host.equals(name);
        }

        boolean matchesPort(int p, boolean tls) {
            return port == null ? p == defaultPort(tls) : port == p;
        }

        boolean containsAddress(InetAddress a) {
            if (network == null) {
                return false;
            }
            byte[] n = network.getAddress();
            byte[] x = a.getAddress();
            if (n.length != x.length) {
                return false;
            }
            int bits = prefix;
            for (int i = 0; i < n.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                if ((n[i] & mask) != (x[i] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Validates declared hosts and rules at creation; throws {@link IllegalArgumentException}. */
    public static void validate(List<String> hosts, List<EgressRule> egress) {
        List<String> bad = new ArrayList<>();
        for (String h : hosts) {
            try {
                HostPattern.parse(h);
            } catch (RuntimeException e) {
                bad.add(h);
            }
        }
        for (EgressRule r : egress) {
            try {
                if (r.host() == null) {
                    throw new IllegalArgumentException();
                }
                HostPattern.of(r.host(), r.port());
            } catch (RuntimeException e) {
                bad.add(String.valueOf(r.host()));
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("not a host name, host:port, IP address or CIDR block: " + bad);
        }
    }
}
