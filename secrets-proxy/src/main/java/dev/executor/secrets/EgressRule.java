package dev.executor.secrets;

/**
 * An explicit egress allow rule of a connection, on top of its source's declared hosts. Only an
 * admin may add one: a rule is also what lets a request reach a private, loopback or link-local
 * address (e.g. an in-cluster service, or a loopback test server).
 *
 * @param host a host name ({@code api.example.com}), a wildcard ({@code *.example.com}), an IP
 *             address ({@code 10.0.0.7}, {@code ::1}) or a CIDR block ({@code 10.0.0.0/8})
 * @param port the one port allowed; null for the scheme's default port (443 / 80)
 */
@io.quarkus.runtime.annotations.RegisterForReflection
public record EgressRule(String host, Integer port) {
}
