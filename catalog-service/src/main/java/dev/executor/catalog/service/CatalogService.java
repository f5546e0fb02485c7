package dev.executor.catalog.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.catalog.CatalogException;
import dev.executor.catalog.Manifest;
import dev.executor.catalog.SideEffect;
import dev.executor.catalog.ToolDefinition;
import dev.executor.catalog.messaging.CatalogEventPublisher;
import dev.executor.catalog.persistence.CatalogStore;
import dev.executor.catalog.persistence.CatalogStore.SourceRow;
import dev.executor.catalog.persistence.CatalogStore.ToolRow;
import dev.executor.catalog.source.ImportException;
import dev.executor.catalog.source.SourceConfig;
import dev.executor.catalog.source.SourceImporter;
import dev.executor.contracts.ErrorReasons;
import dev.executor.contracts.events.PrincipalRef;
import dev.executor.contracts.events.ScopeRef;
import dev.executor.contracts.events.SourceAdded;
import dev.executor.contracts.events.SourceRefreshed;
import dev.executor.contracts.events.SourceRemoved;
import dev.executor.contracts.events.SourceStatus;
import dev.executor.contracts.events.SourceStatusChanged;
import dev.executor.contracts.events.ToolsReviewed;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The catalog's business rules: registering, importing, refreshing and removing sources, the review
 * state of tools, and search.
 *
 * <p>Import rules (README "Import rules"): the first import of a source accepts every tool (the
 * admin added the source knowingly); a refresh diffs by tool name: new tools, and tools returning
 * from retirement, arrive {@code unreviewed}; changed tools keep their review state unless their
 * side effect got more dangerous (then {@code unreviewed}); missing tools are {@code retired}, never
 * deleted. Any change gives the source a new manifest version. Events go out after the commit.
 *
 * <p>Lifecycle: a source is inserted {@code probing}; the import ends it {@code connected},
 * {@code auth_required}, {@code error} or, when another service must probe it (a stdio MCP server),
 * {@code draft} with a message saying so.
 */
@ApplicationScoped
public class CatalogService {

    private static final Logger LOG = Logger.getLogger(CatalogService.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern SCOPE = Pattern.compile("[a-z]+:[A-Za-z0-9_.@-]+");

    /** What an admin asks to register. */
    public record AddCommand(String name, String kind, String scope, SourceConfig config) {
    }

    /** A source as the APIs show it. */
    public record SourceView(UUID id, String name, String kind, String scope, String status, String statusMessage,
            List<String> declaredHosts, String baseUrl, String manifestVersion, int toolCount, int unreviewedCount,
            List<String> warnings, Instant createdAt, Instant updatedAt) {
    }

    /** The outcome of a refresh. */
    public record RefreshResult(SourceView source, List<String> added, List<String> changed, List<String> retired) {
    }

    /** A tool with everything needed to describe or resolve it. */
    public record ToolView(SourceRow source, ToolRow tool) {
    }

    private final Instance<SourceImporter> importers;
    private final CatalogStore store;
    private final CatalogEventPublisher events;
    private final ObjectMapper json;
    private final SearchIndex index = new SearchIndex();
    private final AtomicBoolean indexed = new AtomicBoolean();

    public CatalogService(@Any Instance<SourceImporter> importers, CatalogStore store, CatalogEventPublisher events, ObjectMapper json) {
        this.importers = importers;
        this.store = store;
        this.events = events;
        this.json = json;
    }

    public SearchIndex index() {
        return index;
    }

    // ---- sources -------------------------------------------------------------------------------

    public Uni<SourceView> add(AddCommand command, PrincipalRef by) {
        String name = command.name() == null ? "" : command.name().trim();
        if (!NAME.matcher(name).matches()) {
            return Uni.createFrom().failure(new CatalogException(ErrorReasons.INVALID_ARGUMENTS,
                    "Source name '" + name + "' is invalid: use 1-63 characters [a-z0-9_-], starting with a letter or digit (no dots: it is an address segment)."));
        }
        String kind = command.kind() == null ? "" : command.kind().trim().toLowerCase(Locale.ROOT);
        SourceImporter importer;
        try {
            importer = importer(kind);
        } catch (CatalogException e) {
            return Uni.createFrom().failure(e);
        }
        String scope = command.scope() == null ? "" : command.scope().trim();
        if (!SCOPE.matcher(scope).matches()) {
            return Uni.createFrom().failure(new CatalogException(ErrorReasons.INVALID_ARGUMENTS,
                    "Scope '" + scope + "' is invalid: use <kind>:<id>, e.g. org:acme or workspace:payments."));
        }
        SourceConfig config = command.config();
        if (config == null || !config.hasUrl() && !config.hasInlineDocument() && config.command() == null) {
            return Uni.createFrom().failure(new CatalogException(ErrorReasons.INVALID_ARGUMENTS,
                    "Give the source a 'url' or an inline 'document' (an MCP stdio server: a 'command')."));
        }
        UUID id = UUID.randomUUID();
        return store.insertSource(id, name, kind, scope, toJson(config))
                .onFailure(CatalogStore::isUniqueViolation).transform(e -> new CatalogException(ErrorReasons.CONFLICT,
                        "A source named '" + name + "' already exists in scope " + scope + "."))
                .chain(row -> importOffLoop(importer, config)
                        .chain(manifest -> persistFirstImport(row, manifest, config))
                        .onFailure(ImportException.class).recoverWithUni(e -> importFailed(row, (ImportException) e)))
                .call(view -> events.publish(new SourceAdded(view.id().toString(), view.name(), view.kind(), scopeRef(view.scope()),
                        status(view.status()), view.declaredHosts(), view.manifestVersion(), view.toolCount(), by, Instant.now())));
    }

    private Uni<SourceView> persistFirstImport(SourceRow row, Manifest manifest, SourceConfig config) {
        Versioned imported = versioned(row.id(), manifest, "accepted");
        List<ToolRow> rows = imported.rows();
        String version = imported.version();
        return store.pool().withTransaction(tx -> store.upsertTools(tx, rows)
                .chain(() -> store.insertManifest(tx, row.id(), version, null, rows.size(), rows.size(), 0, 0))
                .chain(() -> store.updateImported(tx, row.id(), manifest.baseUrl(), toJson(manifest.declaredHosts()), version,
                        toJson(manifest.warnings()), toJson(config))))
                .invoke(() -> reindex(row, rows))
                .chain(() -> view(row.id()));
    }

    /**
     * Environmental failures (unreachable, needs a credential) keep the source in {@code error} /
     * {@code auth_required} so an admin can fix the cause and refresh; a document that is not an
     * importable spec is the caller's mistake: the source is dropped and the request fails.
     */
    private Uni<SourceView> importFailed(SourceRow row, ImportException e) {
        if (e.kind() == ImportException.Kind.INVALID_SPEC || e.kind() == ImportException.Kind.TOO_LARGE
                || e.kind() == ImportException.Kind.UNSUPPORTED) {
            return store.deleteSource(row.id()).chain(() -> Uni.createFrom().failure(new CatalogException(ErrorReasons.INVALID_SPEC, e.getMessage())));
        }
        String status = failedStatus(e);
        return store.updateStatus(row.id(), status, e.getMessage())
                .chain(() -> events.publish(new SourceStatusChanged(row.id().toString(), SourceStatus.PROBING, status(status), e.getMessage(), Instant.now())))
                .chain(() -> view(row.id()));
    }

    /** auth_required, draft (probed elsewhere, e.g. a stdio MCP server by the invoker) or error. */
    private static String failedStatus(ImportException e) {
        return switch (e.kind()) {
            case AUTH_REQUIRED -> "auth_required";
            case DEFERRED -> "draft";
            default -> "error";
        };
    }

    public Uni<RefreshResult> refresh(UUID id, String inlineDocument) {
        return requireSource(id).chain(row -> {
            SourceConfig stored = fromJson(row.configJson(), SourceConfig.class);
            SourceConfig config = inlineDocument == null || inlineDocument.isBlank() ? stored
                    : new SourceConfig(null, inlineDocument, stored.mcpTransport(), stored.command(), stored.args(), stored.allowExternalRefs());
            SourceImporter importer = importer(row.kind());
            return store.updateStatus(id, "probing", null)
                    .chain(() -> importOffLoop(importer, config))
                    .chain(manifest -> store.tools(id).chain(existing -> applyRefresh(row, manifest, existing, config)))
                    .onFailure(ImportException.class).recoverWithUni(e -> {
                        ImportException ie = (ImportException) e;
                        String status = failedStatus(ie);
                        // The previous manifest stays in force: a failed refresh never removes tools.
                        return store.updateStatus(id, status, ie.getMessage())
                                .chain(() -> events.publish(new SourceStatusChanged(id.toString(), status(row.status()), status(status),
                                        ie.getMessage(), Instant.now())))
                                .chain(() -> view(id)).map(v -> new RefreshResult(v, List.of(), List.of(), List.of()));
                    });
        });
    }

    private Uni<RefreshResult> applyRefresh(SourceRow row, Manifest manifest, List<ToolRow> existing, SourceConfig config) {
        Map<String, ToolRow> old = new HashMap<>();
        existing.forEach(t -> old.put(t.name(), t));
        Versioned versioned = versioned(row.id(), manifest, "unreviewed");
        List<ToolRow> incoming = versioned.rows();
        String version = versioned.version();
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<ToolRow> writes = new ArrayList<>();
        Set<String> present = new java.util.HashSet<>();
        for (ToolRow next : incoming) {
            present.add(next.name());
            ToolRow previous = old.get(next.name());
            if (previous == null || previous.reviewState().equals("retired")) {
                added.add(next.name());
                writes.add(next);
            } else if (!previous.contentHash().equals(next.contentHash())) {
                changed.add(next.name());
                boolean escalated = danger(next.sideEffect()) > danger(previous.sideEffect());
                writes.add(next.withState(escalated ? "unreviewed" : previous.reviewState()));
            }
        }
        List<String> retired = existing.stream().filter(t -> !t.reviewState().equals("retired") && !present.contains(t.name()))
                .map(ToolRow::name).sorted().toList();
        boolean anyChange = !added.isEmpty() || !changed.isEmpty() || !retired.isEmpty() || !version.equals(row.manifestVersion());
        String previousVersion = row.manifestVersion();
        return store.pool().withTransaction(tx -> store.upsertTools(tx, writes)
                .chain(() -> store.retireTools(tx, row.id(), retired))
                .chain(() -> anyChange ? store.insertManifest(tx, row.id(), version, previousVersion, manifest.tools().size(), added.size(),
                        changed.size(), retired.size()) : Uni.createFrom().voidItem())
                .chain(() -> store.updateImported(tx, row.id(), manifest.baseUrl(), toJson(manifest.declaredHosts()), version,
                        toJson(manifest.warnings()), toJson(config))))
                .chain(() -> reindex(row.id()))
                .chain(() -> view(row.id()))
                .call(v -> events.publish(new SourceRefreshed(row.id().toString(), version, previousVersion, added.size(), changed.size(),
                        retired.size(), v.unreviewedCount(), Instant.now())))
                .map(v -> new RefreshResult(v, added, changed, retired));
    }

    public Uni<Void> remove(UUID id, PrincipalRef by) {
        return requireSource(id).chain(row -> store.deleteSource(id)
                .invoke(() -> index.remove(id.toString()))
                .chain(() -> events.publish(new SourceRemoved(id.toString(), row.name(), scopeRef(row.scope()), by, Instant.now()))));
    }

    /** Accepts unreviewed tools of a source, making them executable. Unknown names fail with TOOL_NOT_FOUND. */
    public Uni<List<String>> accept(UUID id, List<String> names, PrincipalRef by) {
        return requireSource(id).chain(row -> store.tools(id).chain(tools -> {
            Set<String> known = new java.util.HashSet<>();
            tools.forEach(t -> known.add(t.name()));
            List<String> unknown = names.stream().filter(n -> !known.contains(n)).toList();
            if (!unknown.isEmpty()) {
                return Uni.createFrom().failure(new CatalogException(ErrorReasons.TOOL_NOT_FOUND,
                        "Source " + row.name() + " has no tool " + String.join(", ", unknown) + ".",
                        Suggestions.closest(unknown.get(0), known, 3)));
            }
            return store.acceptTools(id, names)
                    .call(accepted -> accepted.isEmpty() ? Uni.createFrom().voidItem() : reindex(id))
                    .call(accepted -> accepted.isEmpty() ? Uni.createFrom().voidItem()
                            : events.publish(new ToolsReviewed(id.toString(), row.manifestVersion(), accepted, List.of(), by, Instant.now())));
        }));
    }

    public Uni<SourceView> get(UUID id) {
        return requireSource(id).chain(row -> view(id));
    }

    public Uni<List<SourceView>> list() {
        return store.listSources().chain(rows -> store.toolCounts().map(counts -> rows.stream()
                .map(r -> view(r, counts.getOrDefault(r.id(), new CatalogStore.ToolCounts(0, 0)))).toList()));
    }

    public Uni<List<ToolRow>> tools(UUID id) {
        return requireSource(id).chain(row -> store.tools(id));
    }

    // ---- tools -------------------------------------------------------------------------------

    /** Ranked search over accepted tools. */
    public Uni<SearchIndex.Result> search(String query, String source, SideEffect sideEffect, Predicate<SearchIndex.Entry> visible,
            int offset, int limit) {
        Predicate<SearchIndex.Entry> filter = visible
                .and(e -> source == null || source.isBlank() || e.sourceName().equals(source))
                .and(e -> sideEffect == null || e.sideEffect() == sideEffect);
        return ensureIndexed().map(v -> index.search(query, filter, offset, limit));
    }

    /**
     * The tool named by an address {@code <source>.<scopeId>.<connection>.<tool>} (or the admin's
     * short form {@code <source>.<tool>}); TOOL_NOT_FOUND with close matches otherwise.
     */
    public Uni<ToolView> describe(String address) {
        String[] parts = address == null ? new String[0] : address.split("\\.");
        if (parts.length != 4 && parts.length != 2) {
            return Uni.createFrom().failure(new CatalogException(ErrorReasons.TOOL_NOT_FOUND,
                    "'" + address + "' is not a tool address: expected <source>.<scope>.<connection>.<tool>, e.g. github.acme.work.issues_create."));
        }
        String sourceName = parts[0];
        String toolName = parts[parts.length - 1];
        String prefix = parts.length == 4 ? parts[0] + "." + parts[1] + "." + parts[2] + "." : parts[0] + ".";
        return store.findSourcesByName(sourceName).chain(sources -> {
            if (sources.isEmpty()) {
                return ensureIndexed().map(v -> {
                    Set<String> names = new java.util.HashSet<>();
                    index.search("", e -> true, 0, Integer.MAX_VALUE).hits().forEach(h -> names.add(h.entry().sourceName()));
                    List<String> close = Suggestions.closest(sourceName, names, 3).stream()
                            .map(n -> n + address.substring(sourceName.length())).toList();
                    throw new CatalogException(ErrorReasons.TOOL_NOT_FOUND, "No source named '" + sourceName + "'.", close);
                });
            }
            SourceRow source = sources.get(0);
            return store.tool(source.id(), toolName).chain(tool -> {
                if (tool != null) {
                    return Uni.createFrom().item(new ToolView(source, tool));
                }
                return ensureIndexed().map(v -> {
                    List<String> names = index.entries(source.id().toString()).stream().map(SearchIndex.Entry::name).toList();
                    List<String> close = new ArrayList<>(Suggestions.closest(toolName, names, 3));
                    if (close.isEmpty()) {
                        index.search(toolName.replace('_', ' '), e -> e.sourceId().equals(source.id().toString()), 0, 3).hits()
                                .forEach(h -> close.add(h.entry().name()));
                    }
                    throw new CatalogException(ErrorReasons.TOOL_NOT_FOUND, "Source " + sourceName + " has no tool '" + toolName + "'.",
                            close.stream().map(n -> prefix + n).toList());
                });
            });
        });
    }

    // ---- internals -------------------------------------------------------------------------------

    private SourceImporter importer(String kind) {
        Instance<SourceImporter> selected = importers.select(Identifier.Literal.of(kind));
        if (!selected.isResolvable()) {
            throw new CatalogException(ErrorReasons.INVALID_ARGUMENTS, "Source kind '" + kind + "' is not supported here; use openapi, graphql or mcp.");
        }
        return selected.get();
    }

    /** Parsing a spec is CPU-heavy and fetching it blocks: never on an event-loop thread. */
    private static Uni<Manifest> importOffLoop(SourceImporter importer, SourceConfig config) {
        return Uni.createFrom().item(() -> {
            try {
                return importer.importSource(config);
            } catch (ImportException e) {
                throw new ImportFailure(e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure(ImportFailure.class).transform(e -> ((ImportFailure) e).cause);
    }

    private static final class ImportFailure extends RuntimeException {
        final ImportException cause;

        ImportFailure(ImportException cause) {
            super(cause.getMessage(), null, false, false);
            this.cause = cause;
        }
    }

    private Uni<SourceRow> requireSource(UUID id) {
        return store.findSource(id).onItem().ifNull().failWith(() -> CatalogException.sourceNotFound(id.toString()));
    }

    private Uni<SourceView> view(UUID id) {
        return store.findSource(id).chain(row -> store.toolCounts().map(c -> view(row, c.getOrDefault(id, new CatalogStore.ToolCounts(0, 0)))));
    }

    private SourceView view(SourceRow r, CatalogStore.ToolCounts counts) {
        return new SourceView(r.id(), r.name(), r.kind(), r.scope(), r.status(), r.statusMessage(),
                fromJson(r.declaredHostsJson(), new TypeReference<List<String>>() {
                }), r.baseUrl(), r.manifestVersion(), counts.active(), counts.unreviewed(),
                fromJson(r.warningsJson(), new TypeReference<List<String>>() {
                }), r.createdAt().toInstant(), r.updatedAt().toInstant());
    }

    /** Loads the index from the database once (retried on the next call if the database was down). */
    Uni<Void> ensureIndexed() {
        if (indexed.get()) {
            return Uni.createFrom().voidItem();
        }
        return store.listSources().chain(sources -> store.activeToolsLight().invoke(rows -> {
            Map<UUID, List<ToolRow>> bySource = new LinkedHashMap<>();
            rows.forEach(r -> bySource.computeIfAbsent(r.sourceId(), k -> new ArrayList<>()).add(r));
            for (SourceRow s : sources) {
                index.replace(s.id().toString(), entries(s, bySource.getOrDefault(s.id(), List.of())));
            }
            indexed.set(true);
        })).replaceWithVoid();
    }

    private Uni<Void> reindex(UUID sourceId) {
        return store.findSource(sourceId).chain(s -> store.tools(sourceId).invoke(rows -> reindex(s, rows))).replaceWithVoid();
    }

    private void reindex(SourceRow source, List<ToolRow> rows) {
        index.replace(source.id().toString(), entries(source, rows));
    }

    private List<SearchIndex.Entry> entries(SourceRow source, List<ToolRow> rows) {
        List<SearchIndex.Entry> out = new ArrayList<>();
        for (ToolRow t : rows) {
            if (!t.reviewState().equals("accepted")) {
                continue; // unreviewed and retired tools are not executable, so not offered
            }
            Map<String, String> labels = fromJson(t.labelsJson(), new TypeReference<Map<String, String>>() {
            });
            List<String> params = new ArrayList<>();
            try {
                json.readTree(t.inputSchemaJson()).path("properties").fieldNames().forEachRemaining(params::add);
            } catch (JsonProcessingException e) {
                LOG.debugf("unreadable input schema of %s", t.name());
            }
            out.add(new SearchIndex.Entry(source.id().toString(), source.name(), t.name(), labels.getOrDefault("operation_id", ""),
                    t.description(), SideEffect.fromWire(t.sideEffect()), t.signature(), params));
        }
        return out;
    }

    private ToolRow toRow(UUID sourceId, ToolDefinition t, String state, String version) {
        String input = t.inputSchema().toString();
        String output = t.outputSchema() == null ? null : t.outputSchema().toString();
        String auth = toJson(t.auth());
        String labels = toJson(t.labels());
        String binding = toJson(t.binding());
        String hash = sha256(t.description() + '\u0000' + input + '\u0000' + output + '\u0000' + t.sideEffect() + '\u0000' + auth
                + '\u0000' + labels + '\u0000' + binding);
        return new ToolRow(sourceId, t.name(), t.description(), input, output, t.outputName(), t.sideEffect().wire(), auth, labels,
                binding, Signatures.of(t.name(), t.inputSchema(), t.outputName(), t.sideEffect()), hash, state, version);
    }

    /**
     * The manifest's tools as rows in {@code state}, stamped with the manifest's version. Each tool's
     * schemas are serialized once: the version is derived from the rows' content hashes.
     */
    private Versioned versioned(UUID sourceId, Manifest m, String state) {
        List<ToolRow> rows = new ArrayList<>(m.tools().size());
        for (ToolDefinition t : m.tools()) {
            rows.add(toRow(sourceId, t, state, ""));
        }
        String version = manifestVersion(m.baseUrl(), m.declaredHosts(), rows);
        rows.replaceAll(r -> r.withVersion(version));
        return new Versioned(rows, version);
    }

    /** A manifest's tools as rows, and its version. */
    private record Versioned(List<ToolRow> rows, String version) {
    }

    /** Opaque version: a hash over the tools' contents, the base URL and hosts. Same manifest, same version. */
    private static String manifestVersion(String baseUrl, List<String> declaredHosts, List<ToolRow> rows) {
        StringBuilder sb = new StringBuilder(baseUrl).append('\u0000').append(declaredHosts);
        rows.stream().sorted(java.util.Comparator.comparing(ToolRow::name))
                .forEach(r -> sb.append('\u0000').append(r.name()).append('=').append(r.contentHash()));
        return "sha256:" + sha256(sb.toString()).substring(0, 16);
    }

    private static int danger(String sideEffect) {
        return switch (sideEffect) {
            case "read" -> 0;
            case "write" -> 1;
            default -> 2;
        };
    }

    static ScopeRef scopeRef(String scope) {
        int colon = scope.indexOf(':');
        return colon < 0 ? new ScopeRef("org", scope) : new ScopeRef(scope.substring(0, colon), scope.substring(colon + 1));
    }

    static SourceStatus status(String status) {
        return SourceStatus.valueOf(status.toUpperCase(Locale.ROOT));
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T fromJson(String text, Class<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T fromJson(String text, TypeReference<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
