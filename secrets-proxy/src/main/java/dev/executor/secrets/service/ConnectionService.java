package dev.executor.secrets.service;

import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.executor.contracts.ErrorReasons;
import dev.executor.contracts.events.ConnectionCreated;
import dev.executor.contracts.events.ConnectionDeleted;
import dev.executor.contracts.events.ConnectionRef;
import dev.executor.contracts.events.CredentialSlot;
import dev.executor.contracts.events.PrincipalRef;
import dev.executor.contracts.events.ScopeRef;
import dev.executor.secrets.AuthTemplate;
import dev.executor.secrets.Caller;
import dev.executor.secrets.Connection;
import dev.executor.secrets.EgressRule;
import dev.executor.secrets.SecretRef;
import dev.executor.secrets.SecretValue;
import dev.executor.secrets.config.SecretsProxyConfig;
import dev.executor.secrets.messaging.ConnectionEventPublisher;
import dev.executor.secrets.persistence.ConnectionRepository;
import dev.executor.secrets.provider.SecretProviders;
import dev.executor.secrets.provider.stored.StoredSecretProvider;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Connections: who may create, see and delete them, and the rules they must satisfy.
 *
 * <ul>
 * <li>An agent can never add, list or delete connections (DESIGN.md §3 rule 3).</li>
 * <li>An admin may place a connection in any scope, reference any provider and add egress rules.</li>
 * <li>Any other authenticated person may manage connections in their own scope
 * {@code user:<preferred_username>} only, with secret values (kept as {@code stored://}) or the
 * provider kinds in {@code secrets-proxy.connections.user-providers}, and without egress rules
 * (those open private addresses).</li>
 * <li>Secret values are write-only: sealed at once, never returned; events carry slot names and
 * provider kinds only. Events are published after the database commit.</li>
 * </ul>
 */
@ApplicationScoped
public class ConnectionService {

    private static final Logger LOG = Logger.getLogger(ConnectionService.class);
    private static final Pattern SCOPE = Pattern.compile("(org|workspace|user):[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");
    private static final Pattern SOURCE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final int MAX_SECRET_CHARS = 16 * 1024;

    /** What a caller asks to create. Secret values are write-only. */
    public record NewConnection(String scope, String source, String sourceId, String name, AuthTemplate auth,
            Map<String, String> secretRefs, Map<String, String> secretValues, List<String> hosts, List<EgressRule> egress) {

        @Override
        public String toString() {
            return "NewConnection[" + scope + "/" + source + "/" + name + "]";
        }
    }

    private record CacheEntry(Connection connection, long expiresAt) {
    }

    private final Pool pool;
    private final ConnectionRepository repository;
    private final SecretProviders providers;
    private final StoredSecretProvider stored;
    private final OAuthTokenService oauth;
    private final ConnectionEventPublisher events;
    private final Set<String> userProviders;
    private final long cacheTtlNanos;
    private final Map<String, CacheEntry> cache = new ConcurrentHashMap<>();

    public ConnectionService(Pool pool, ConnectionRepository repository, SecretProviders providers,
            @io.smallrye.common.annotation.Identifier("stored") StoredSecretProvider stored,
            OAuthTokenService oauth, ConnectionEventPublisher events, SecretsProxyConfig config) {
        this.pool = pool;
        this.repository = repository;
        this.providers = providers;
        this.stored = stored;
        this.oauth = oauth;
        this.events = events;
        this.userProviders = Set.copyOf(config.connections().userProviders().orElse(List.of()));
        this.cacheTtlNanos = config.connections().cacheTtl().toNanos();
    }

    public Uni<Connection> create(NewConnection request, Caller caller) {
        Connection connection;
        Map<String, SecretValue> values = new LinkedHashMap<>();
        try {
            connection = validate(request, caller, values);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(ProxyException.invalid(e.getMessage()));
        } catch (ProxyException e) {
            return Uni.createFrom().failure(e);
        }
        return pool.withTransaction(tx -> repository.insert(tx, connection)
                .flatMap(v -> Multi.createFrom().iterable(values.entrySet())
                        .onItem().transformToUniAndConcatenate(slot -> stored.store(tx, connection.id(), slot.getValue())
                                .map(ref -> Map.entry(slot.getKey(), ref.toString())))
                        .collect().asList())
                .flatMap(minted -> {
                    if (minted.isEmpty()) {
                        return Uni.createFrom().item(connection);
                    }
                    Map<String, String> refs = new LinkedHashMap<>(connection.secretRefs());
                    minted.forEach(e -> refs.put(e.getKey(), e.getValue()));
                    Connection full = withRefs(connection, refs);
                    return tx.preparedQuery("UPDATE connection SET secret_refs = $2 WHERE id = $1")
                            .execute(io.vertx.mutiny.sqlclient.Tuple.of(full.id(), new io.vertx.core.json.JsonObject(
                                    new LinkedHashMap<String, Object>(refs))))
                            .replaceWith(full);
                }))
                .onFailure(this::isUniqueViolation).transform(e -> new ProxyException(ErrorReasons.CONFLICT,
                        "a connection " + connection.label() + " already exists; pick another name"))
                .call(created -> publish(new ConnectionCreated(created.id().toString(), ref(created), created.sourceId(),
                        slots(created), principal(caller), Instant.now())))
                .invoke(created -> LOG.infof("Connection %s (%s) created by %s", created.label(), created.id(), caller.username()));
    }

    public Uni<List<Connection>> list(Caller caller) {
        requireHuman(caller);
        return repository.list(caller.admin() ? null : caller.ownScope());
    }

    public Uni<Connection> get(UUID id, Caller caller) {
        requireHuman(caller);
        return repository.find(id).map(c -> {
            if (c == null || !(caller.admin() || c.scope().equals(caller.ownScope()))) {
                throw ProxyException.notFound("no connection " + id + " visible to you");
            }
            return c;
        });
    }

    public Uni<Void> delete(UUID id, Caller caller) {
        return get(id, caller).flatMap(c -> pool.withTransaction(tx -> repository.delete(tx, id))
                .invoke(() -> {
                    cache.remove(key(c.scope(), c.source(), c.name()));
                    oauth.forget(id);
                })
                .call(deleted -> deleted
                        ? publish(new ConnectionDeleted(id.toString(), ref(c), principal(caller), Instant.now()))
                        : Uni.createFrom().voidItem())
                .invoke(() -> LOG.infof("Connection %s (%s) deleted by %s", c.label(), id, caller.username())))
                .replaceWithVoid();
    }

    /** Re-seals stored secrets and tokens under the active key (admin). */
    public Uni<Map<String, Integer>> rotate(Caller caller) {
        if (!caller.admin() || caller.agent()) {
            return Uni.createFrom().failure(ProxyException.forbidden("only an admin may rotate the stored-secret key"));
        }
        return stored.rotate().flatMap(s -> oauth.rotate().map(t -> Map.of("storedSecrets", s, "oauthTokens", t)));
    }

    /** The connection {@code (scope, source, name)} for Forward, cached for a short TTL; null if none. */
    public Uni<Connection> lookup(String scope, String source, String name) {
        String key = key(scope, source, name);
        CacheEntry hit = cache.get(key);
        if (hit != null && hit.expiresAt() - System.nanoTime() > 0) {
            return Uni.createFrom().item(hit.connection());
        }
        return repository.find(scope, source, name).invoke(c -> {
            if (c != null && cacheTtlNanos > 0) {
                cache.put(key, new CacheEntry(c, System.nanoTime() + cacheTtlNanos));
            } else {
                cache.remove(key);
            }
        });
    }

    /** Forgets a cached connection (after its status changed). */
    public void evict(Connection c) {
        cache.remove(key(c.scope(), c.source(), c.name()));
    }

    public Uni<List<Connection>> listAll() {
        return repository.list(null);
    }

    private Connection validate(NewConnection r, Caller caller, Map<String, SecretValue> values) {
        if (caller.agent()) {
            throw ProxyException.forbidden("agents cannot add connections; ask an admin");
        }
        if (r.scope() == null || !SCOPE.matcher(r.scope()).matches()) {
            throw new IllegalArgumentException("scope must be <org|workspace|user>:<id>, e.g. org:acme or " + caller.ownScope());
        }
        if (!caller.admin()) {
            if (!caller.human()) {
                throw ProxyException.forbidden("only an admin, or a person for their own user scope, may add connections");
            }
            if (!r.scope().equals(caller.ownScope())) {
                throw ProxyException.forbidden("you may add connections only in your own scope " + caller.ownScope()
                        + "; connections in " + r.scope() + " need an admin");
            }
            if (r.egress() != null && !r.egress().isEmpty()) {
                throw ProxyException.forbidden("only an admin may add egress rules");
            }
        }
        if (r.source() == null || !SOURCE.matcher(r.source()).matches()) {
            throw new IllegalArgumentException("source must be the source's name: lower-case letters, digits, '-' or '_'");
        }
        if (r.name() == null || !NAME.matcher(r.name()).matches()) {
            throw new IllegalArgumentException("name is required: letters, digits, '-' or '_', e.g. work, personal, prod");
        }
        AuthTemplate auth = r.auth() == null ? AuthTemplate.none() : r.auth();
        auth.validate();
        List<String> hosts = r.hosts() == null ? List.of() : r.hosts().stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
        List<EgressRule> egress = r.egress() == null ? List.of() : List.copyOf(r.egress());
        // A connection that injects nothing may declare no host (a stdio MCP server is a process the
        // invoker runs, never reached through this proxy); Forward then refuses every destination.
        if (hosts.isEmpty() && !AuthTemplate.NONE.equals(auth.kind())) {
            throw new IllegalArgumentException("hosts is required for a connection that carries a credential: the hosts the source "
                    + "declares (copy them from the catalog source)");
        }
        EgressGuard.validate(hosts, egress);
        if (auth.isOAuth2()) {
            URI token = URI.create(auth.tokenUrl());
            boolean tls = "https".equalsIgnoreCase(token.getScheme());
            if (!EgressGuard.nameAllowed(EgressGuard.normalizeHost(token.getHost()), EgressGuard.effectivePort(token), tls, hosts, egress)) {
                throw new IllegalArgumentException("auth.tokenUrl must point at a declared host or one allowed by an egress rule");
            }
        }
        Map<String, String> refs = r.secretRefs() == null ? Map.of() : r.secretRefs();
        Map<String, String> plain = r.secretValues() == null ? Map.of() : r.secretValues();
        Set<String> required = auth.slots();
        Set<String> optional = auth.optionalSlots();
        List<String> problems = new ArrayList<>();
        for (String slot : required) {
            if (refs.containsKey(slot) == plain.containsKey(slot)) {
                problems.add("slot '" + slot + "' needs exactly one of secretRefs or secretValues");
            }
        }
        for (String slot : concat(refs.keySet(), plain.keySet())) {
            if (!required.contains(slot) && !optional.contains(slot)) {
                problems.add("auth kind " + auth.kind() + " has no slot '" + slot + "' (slots: " + concat(required, optional) + ")");
            } else if (refs.containsKey(slot) && plain.containsKey(slot)) {
                problems.add("slot '" + slot + "' has both a secretRef and a secretValue");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        Map<String, String> normalized = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : refs.entrySet()) {
            SecretRef ref;
            try {
                ref = SecretRef.parse(e.getValue());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("secretRefs." + e.getKey() + ": " + ex.getMessage());
            }
            if (ref.kind().equals("stored")) {
                throw new IllegalArgumentException("secretRefs." + e.getKey()
                        + ": stored:// refs cannot be given; send the value in secretValues and it is stored for this connection");
            }
            if (!caller.admin() && !userProviders.contains(ref.kind())) {
                throw ProxyException.forbidden("secretRefs." + e.getKey() + ": only an admin may reference " + ref.kind()
                        + ":// secrets; send the value in secretValues instead");
            }
            try {
                providers.validate(ref);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("secretRefs." + e.getKey() + ": " + ex.getMessage());
            }
            normalized.put(e.getKey(), ref.toString());
        }
        for (Map.Entry<String, String> e : plain.entrySet()) {
            if (e.getValue() == null || e.getValue().isEmpty() || e.getValue().length() > MAX_SECRET_CHARS) {
                throw new IllegalArgumentException("secretValues." + e.getKey() + " must be a non-empty string of at most 16 KiB");
            }
            values.put(e.getKey(), SecretValue.of(e.getValue()));
        }
        if (!values.isEmpty() && !stored.enabled()) {
            throw new ProxyException(ErrorReasons.UNAVAILABLE,
                    "secret values cannot be stored: no key in secrets-proxy.stored.keys; use secretRefs or ask an operator");
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return new Connection(UUID.randomUUID(), r.scope(), r.source(), r.sourceId(), r.name(), auth, normalized, hosts, egress,
                Connection.ACTIVE, caller.username() == null ? caller.subject() : caller.username(), now, now);
    }

    private static Set<String> concat(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private static void requireHuman(Caller caller) {
        if (caller.agent() || !(caller.admin() || caller.human())) {
            throw ProxyException.forbidden("only an admin, or a person for their own user scope, may manage connections");
        }
    }

    private Uni<Void> publish(dev.executor.contracts.events.ConnectionEvent event) {
        // Awaited (ordering: the caller sees the event on the topic once it has the answer) but
        // bounded, so a broker outage degrades to a logged warning instead of a hanging request.
        return events.publish(event)
                .ifNoItem().after(java.time.Duration.ofSeconds(5)).fail()
                .onFailure().invoke(e -> LOG.warnf("%s for %s not published: %s", event.getClass().getSimpleName(),
                        event.connectionId(), e.getMessage()))
                .onFailure().recoverWithNull();
    }

    private boolean isUniqueViolation(Throwable t) {
        return t instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState());
    }

    private static Connection withRefs(Connection c, Map<String, String> refs) {
        return new Connection(c.id(), c.scope(), c.source(), c.sourceId(), c.name(), c.auth(), Map.copyOf(refs), c.hosts(),
                c.egress(), c.status(), c.createdBy(), c.createdAt(), c.updatedAt());
    }

    static String key(String scope, String source, String name) {
        return scope + '\u0000' + source + '\u0000' + name;
    }

    /** The event form of a connection's address. */
    public static ConnectionRef ref(Connection c) {
        return new ConnectionRef(new ScopeRef(c.scopeKind(), c.scopeId()), c.source(), c.name());
    }

    /** Slot names and provider kinds: all an outsider may know about a connection's credentials. */
    public static List<CredentialSlot> slots(Connection c) {
        return c.secretRefs().entrySet().stream()
                .map(e -> new CredentialSlot(e.getKey(), SecretRef.parse(e.getValue()).kind()))
                .sorted(java.util.Comparator.comparing(CredentialSlot::name))
                .toList();
    }

    private static PrincipalRef principal(Caller caller) {
        return new PrincipalRef(caller.subject(), caller.username(), null, caller.agent());
    }
}
