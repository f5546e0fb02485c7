package dev.executor.secrets.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.executor.contracts.ErrorReasons;
import dev.executor.secrets.EgressRule;
import io.smallrye.mutiny.Uni;

/** DESIGN.md §3 rule 2: credentials are bound to their source's hosts; private ranges refused unless a rule allows them. */
class EgressGuardTest {

    /** A resolver with fixed answers: public names, a name re-bound to loopback, a split answer. */
    private static final Map<String, List<String>> DNS = Map.of(
            "api.example.com", List.of("93.184.216.34"),
            "eu.api.example.com", List.of("93.184.216.35"),
            "rebound.example.com", List.of("127.0.0.1"),
            "metadata.example.com", List.of("169.254.169.254"),
            "split.example.com", List.of("10.1.2.3", "93.184.216.36"),
            "internal.svc", List.of("10.0.0.7"));

    private final EgressGuard guard = new EgressGuard(host -> Uni.createFrom().item(
            DNS.getOrDefault(host, List.of()).stream().map(EgressGuardTest::ip).toList()));

    static Stream<Arguments> cases() {
        List<String> hosts = List.of("api.example.com", "*.api.example.com", "rebound.example.com", "metadata.example.com",
                "split.example.com", "127.0.0.1:8080");
        List<EgressRule> none = List.of();
        return Stream.of(
                // case, url, hosts, rules, expected reason (null = allowed), expected address
                Arguments.of("declared host, default port", "https://api.example.com/x", hosts, none, null, "93.184.216.34"),
                Arguments.of("declared wildcard host", "https://eu.api.example.com/x", hosts, none, null, "93.184.216.35"),
                Arguments.of("undeclared host", "https://evil.example.net/x", hosts, none, ErrorReasons.EGRESS_DENIED, null),
                Arguments.of("declared host on another port", "https://api.example.com:8443/x", hosts, none, ErrorReasons.EGRESS_DENIED, null),
                Arguments.of("suffix trick is not a subdomain", "https://api.example.com.evil.net/x", hosts, none, ErrorReasons.EGRESS_DENIED, null),
                Arguments.of("declared name re-bound to loopback (DNS rebinding)", "https://rebound.example.com/", hosts, none, ErrorReasons.EGRESS_DENIED, null),
                Arguments.of("declared name resolving to cloud metadata", "https://metadata.example.com/", hosts, none, ErrorReasons.EGRESS_DENIED, null),
                Arguments.of("split answer: the public address is picked", "https://split.example.com/", hosts, none, null, "93.184.216.36"),
                Arguments.of("declared loopback literal without a rule", "http://127.0.0.1:8080/", hosts, none, ErrorReasons.EGRESS_DENIED, null),
                Arguments.of("declared loopback literal with a CIDR rule", "http://127.0.0.1:8080/", hosts,
                        List.of(new EgressRule("127.0.0.0/8", 8080)), null, "127.0.0.1"),
                Arguments.of("rule on another port does not open loopback", "http://127.0.0.1:8080/", hosts,
                        List.of(new EgressRule("127.0.0.1", 9090)), ErrorReasons.EGRESS_DENIED, null),
                Arguments.of("rule naming an internal host", "http://internal.svc/", List.of(), List.of(new EgressRule("internal.svc", null)),
                        null, "10.0.0.7"),
                Arguments.of("IPv4-mapped IPv6 loopback", "http://[::ffff:127.0.0.1]/", List.of("[::ffff:127.0.0.1]"), none,
                        ErrorReasons.EGRESS_DENIED, null),
                Arguments.of("IPv6 loopback", "http://[::1]/", List.of("[::1]"), none, ErrorReasons.EGRESS_DENIED, null),
                Arguments.of("user info in the URL", "https://user:pw@api.example.com/", hosts, none, ErrorReasons.INVALID_ARGUMENTS, null),
                Arguments.of("non-http scheme", "file:///etc/passwd", hosts, none, ErrorReasons.INVALID_ARGUMENTS, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void credentialsAreBoundToTheirSourcesHosts(String name, String url, List<String> hosts, List<EgressRule> rules, String reason,
            String address) {
        // When
        var result = guard.check(url, hosts, rules, "org:acme/a/work");

        // Then
        if (reason == null) {
            assertEquals(address, result.await().indefinitely().address().getHostAddress());
        } else {
            ProxyException e = assertThrows(ProxyException.class, () -> result.await().indefinitely());
            assertEquals(reason, e.reason());
        }
    }

    static Stream<Arguments> addresses() {
        return Stream.of(
                Arguments.of("0.0.0.0", true), Arguments.of("10.1.1.1", true), Arguments.of("100.64.0.1", true),
                Arguments.of("127.0.0.1", true), Arguments.of("169.254.169.254", true), Arguments.of("172.16.0.1", true),
                Arguments.of("172.31.255.255", true), Arguments.of("192.168.1.1", true), Arguments.of("198.18.0.1", true),
                Arguments.of("224.0.0.1", true), Arguments.of("255.255.255.255", true), Arguments.of("::", true),
                Arguments.of("::1", true), Arguments.of("fe80::1", true), Arguments.of("fd00::1", true),
                Arguments.of("ff02::1", true), Arguments.of("64:ff9b::7f00:1", true), Arguments.of("2002:7f00:1::", true),
                Arguments.of("8.8.8.8", false), Arguments.of("172.32.0.1", false), Arguments.of("93.184.216.34", false),
                Arguments.of("2606:4700::1111", false), Arguments.of("64:ff9b::808:808", false));
    }

    @ParameterizedTest(name = "{0} restricted={1}")
    @MethodSource("addresses")
    void classifiesPrivateLoopbackLinkLocalAndReservedRanges(String address, boolean restricted) {
        assertEquals(restricted, EgressGuard.isRestricted(ip(address)));
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
