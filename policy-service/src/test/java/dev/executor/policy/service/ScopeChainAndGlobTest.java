package dev.executor.policy.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.executor.policy.Address;
import dev.executor.policy.Scope;
import dev.executor.policy.ScopeChain;

/** Claim → scope mapping, addresses and globs. */
class ScopeChainAndGlobTest {

    record Claims(String org, List<String> workspaces, String username, String expected) {
    }

    static Stream<Arguments> claims() {
        return Stream.of(
                Arguments.of(Named.of("org, workspace and username give the full chain",
                        new Claims("acme", List.of("payments"), "alice", "org:acme → workspace:payments → user:alice"))),
                Arguments.of(Named.of("several workspaces keep their claim order",
                        new Claims("acme", List.of("payments", "risk"), "alice",
                                "org:acme → workspace:payments → workspace:risk → user:alice"))),
                Arguments.of(Named.of("a token without org or workspaces gets its user scope only",
                        new Claims(null, List.of(), "viewer", "user:viewer"))),
                Arguments.of(Named.of("a token without a username gets no user scope",
                        new Claims("acme", null, null, "org:acme"))),
                Arguments.of(Named.of("blank and unaddressable claim values are skipped",
                        new Claims(" ", List.of("", "a.b"), "alice", "user:alice"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("claims")
    void derivesTheScopeChainFromClaims(Claims c) {
        // When
        ScopeChain chain = ScopeChain.fromClaims(c.org, c.workspaces, c.username);

        // Then
        assertEquals(c.expected, chain.toString());
    }

    record GlobCase(String glob, boolean address, String candidate, boolean matches) {
    }

    static Stream<Arguments> globs() {
        return Stream.of(
                Arguments.of(Named.of("tool star matches any suffix", new GlobCase("issues_*", false, "issues_create", true))),
                Arguments.of(Named.of("tool star matches nothing too", new GlobCase("issues_*", false, "issues_", true))),
                Arguments.of(Named.of("tool glob is whole-string", new GlobCase("issues", false, "issues_create", false))),
                Arguments.of(Named.of("regex characters are literal", new GlobCase("a+b", false, "aab", false))),
                Arguments.of(Named.of("address glob matches per segment",
                        new GlobCase("github.*.*.issues_*", true, "github.acme.work.issues_create", true))),
                Arguments.of(Named.of("address star does not cross a dot",
                        new GlobCase("git*.acme.work.x", true, "git.hub.acme.work.x", false))),
                Arguments.of(Named.of("tool segment of an address glob takes dotted tool names",
                        new GlobCase("mcp.*.*.*", true, "mcp.acme.work.fs.read", true))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("globs")
    void matchesGlobs(GlobCase c) {
        // Given
        Glob glob = c.address ? Glob.address(c.glob) : Glob.tool(c.glob);

        // When / Then
        assertEquals(c.matches, glob.matches(c.candidate));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(Named.of("address glob with three segments", (Runnable) () -> Glob.address("github.*.issues_*"))),
                Arguments.of(Named.of("glob with a space", (Runnable) () -> Glob.tool("issues *"))),
                Arguments.of(Named.of("address with an empty segment", (Runnable) () -> Address.parse("github..work.x"))),
                Arguments.of(Named.of("scope of an unknown kind", (Runnable) () -> Scope.parse("team:x"))),
                Arguments.of(Named.of("scope without an id", (Runnable) () -> Scope.parse("org:"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void refusesMalformedInput(Runnable parse) {
        assertThrows(IllegalArgumentException.class, parse::run);
    }
}
