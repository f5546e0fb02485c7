package dev.executor.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void listsSixDistinctTopics() {
        // Given
        var topics = Topics.ALL;

        // When
        var distinct = new HashSet<>(topics);

        // Then
        assertEquals(6, topics.size());
        assertEquals(6, distinct.size());
    }

    @Test
    void deadLetterTopicAppendsDlq() {
        // Given
        String topic = Topics.RUN_EVENTS;

        // When
        String dlq = Topics.dlq(topic);

        // Then
        assertEquals("executor.run.events.dlq", dlq);
    }

    @Test
    void everyTopicHasAPublishedSchema() throws IOException {
        for (String topic : Topics.ALL) {
            // Given
            String resource = Topics.schemaResource(topic);

            // When
            try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {

                // Then
                assertNotNull(in, resource);
            }
        }
    }
}
