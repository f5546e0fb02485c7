package dev.executor.ledger.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.executor.ledger.persistence.RunQuery.Cursor;

class CursorTest {

    @Test
    void roundTripsThroughAnOpaqueToken() {
        // Given
        Cursor cursor = new Cursor(Instant.parse("2025-06-01T10:15:30.123456Z"), UUID.randomUUID());

        // When
        String token = cursor.encode();

        // Then
        assertEquals(cursor, Cursor.decode(token));
    }

    @Test
    void refusesATokenItDidNotIssue() {
        assertThrows(IllegalArgumentException.class, () -> Cursor.decode("not-a-token"));
        assertThrows(IllegalArgumentException.class, () -> Cursor.decode("MTIzOm5vdC1hLXV1aWQ"));
    }
}
