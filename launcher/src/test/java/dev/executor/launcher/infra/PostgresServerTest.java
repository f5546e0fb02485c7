package dev.executor.launcher.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresServerTest {

    @Test
    void createsADatabaseThatItsOwnerCanQueryThenClosesThePort() throws Exception {
        // Given
        PostgresServer server = PostgresServer.builder().build();
        long started = System.nanoTime();
        server.start();
        System.out.printf("PostgreSQL ready in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        int port = server.port();
        Path dataDir = server.dataDir();
        try {
            // When
            server.createDatabase("catalog", "catalog", "catalog");
            server.createDatabase("catalog", "catalog", "catalog");

            // Then
            assertEquals("jdbc:postgresql://127.0.0.1:" + port + "/catalog", server.jdbcUrl("catalog"));
            assertEquals("vertx-reactive:postgresql://127.0.0.1:" + port + "/catalog", server.reactiveUrl("catalog"));
            try (Connection c = server.connect("catalog", "catalog", "catalog"); Statement s = c.createStatement()) {
                s.execute("create table source (id text primary key)");
                s.execute("insert into source values ('github')");
                try (ResultSet rs = s.executeQuery("select current_user, current_database(), count(*) from source")) {
                    assertTrue(rs.next());
                    assertEquals("catalog", rs.getString(1));
                    assertEquals("catalog", rs.getString(2));
                    assertEquals(1, rs.getInt(3));
                }
            }
        } finally {
            server.stop();
        }

        // Then
        assertFalse(FreePorts.isListening(port));
        assertFalse(Files.exists(dataDir));
    }

    @Test
    void keepsAPersistentDataDirAcrossRestarts(@TempDir Path dir) throws Exception {
        // Given
        Path dataDir = dir.resolve("pg");
        try (PostgresServer first = PostgresServer.builder().dataDir(dataDir).build().start()) {
            first.createDatabase("ledger", "ledger", "ledger");
            try (Connection c = first.connect("ledger", "ledger", "ledger"); Statement s = c.createStatement()) {
                s.execute("create table run (id text primary key)");
                s.execute("insert into run values ('run-1')");
            }
        }

        // When
        try (PostgresServer second = PostgresServer.builder().dataDir(dataDir).build().start()) {
            // Then
            try (Connection c = second.connect("ledger", "ledger", "ledger"); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select id from run")) {
                assertTrue(rs.next());
                assertEquals("run-1", rs.getString(1));
            }
        }
        assertTrue(Files.exists(dataDir.resolve("PG_VERSION")));
    }
}
