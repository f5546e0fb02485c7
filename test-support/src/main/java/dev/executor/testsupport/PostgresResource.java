package dev.executor.testsupport;

import java.util.Map;

import dev.executor.launcher.infra.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real PostgreSQL shared by every test class of the JVM (fresh temp data dir per JVM, so every
 * test run starts from empty databases), stopped by a JVM shutdown hook. Creates the database
 * named by the required init arg {@code db} with user = password = that name.
 *
 * <p>Sets {@code quarkus.datasource.reactive.url}, {@code quarkus.datasource.jdbc.url},
 * {@code quarkus.datasource.username} and {@code quarkus.datasource.password}.
 *
 * <pre>{@code @QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "db", value = "catalog"))}</pre>
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    public static final String DB_ARG = "db";

    private static PostgresServer server;

    private String database;

    /** The shared server, started on first use. */
    public static synchronized PostgresServer server() {
        if (server == null) {
            server = PostgresServer.builder().build().start();
        }
        return server;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.get(DB_ARG);
        if (database == null || database.isBlank()) {
            throw new IllegalArgumentException(
                    "PostgresResource needs initArgs = @ResourceArg(name = \"db\", value = \"<database>\")");
        }
    }

    @Override
    public Map<String, String> start() {
        if (database == null) {
            init(Map.of());
        }
        PostgresServer pg = server();
        pg.createDatabase(database, database, database);
        return Map.of(
                "quarkus.datasource.reactive.url", pg.reactiveUrl(database),
                "quarkus.datasource.jdbc.url", pg.jdbcUrl(database),
                "quarkus.datasource.username", database,
                "quarkus.datasource.password", database);
    }

    @Override
    public void stop() {
        // shared by the JVM's test classes: the server's shutdown hook stops it
    }
}
