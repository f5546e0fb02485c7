package dev.executor.catalog.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class TextAnalyzerTest {

    @Test
    void readsTheActionFromTheLeadingVerb() {
        // When / Then
        assertEquals(TextAnalyzer.Action.READ, TextAnalyzer.shape("show my account balance").action());
        assertEquals(TextAnalyzer.Action.WRITE, TextAnalyzer.shape("publish a new release").action());
        assertEquals(TextAnalyzer.Action.DELETE, TextAnalyzer.shape("remove a label").action());
        assertNull(TextAnalyzer.shape("commit history of a repo").action());
    }

    @Test
    void treatsAnUnknownLeadingWordBeforeItsObjectAsAVerb() {
        // When
        TextAnalyzer.QueryShape comment = TextAnalyzer.shape("comment on an issue");
        TextAnalyzer.QueryShape star = TextAnalyzer.shape("star a repository");
        TextAnalyzer.QueryShape who = TextAnalyzer.shape("who am I");

        // Then "comment on" makes a comment, "star a" changes something, "who" reads
        assertEquals(TextAnalyzer.Action.WRITE, comment.action());
        assertEquals(List.of(TextAnalyzer.stem("create")), comment.implied());
        assertEquals(TextAnalyzer.Action.WRITE, star.action());
        assertTrue(star.implied().isEmpty());
        assertEquals(TextAnalyzer.Action.READ, who.action());
        assertEquals(List.of("get"), who.implied());
    }

    @Test
    void tellsNounsAskedManyOfFromNounsAskedOneOf() {
        // When
        TextAnalyzer.QueryShape many = TextAnalyzer.shape("list pull requests in a repo");
        TextAnalyzer.QueryShape one = TextAnalyzer.shape("get a customer");

        // Then
        assertEquals(Set.of(TextAnalyzer.stem("requests")), many.plural());
        assertEquals(Set.of("repository"), many.singular());
        assertTrue(one.plural().isEmpty());
        assertEquals(Set.of(TextAnalyzer.stem("customer")), one.singular());
    }
}
