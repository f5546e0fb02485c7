package dev.executor.secrets.service;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.sameInstance;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.executor.secrets.SecretValue;

class RedactorTest {

    private static final String SECRET = "s3cr3t+/= value&more";

    @Test
    void redactsTheValueAndItsBase64AndUrlEncodedForms() {
        // Given
        Redactor redactor = Redactor.of(List.of(SecretValue.of(SECRET)));
        byte[] raw = SECRET.getBytes(StandardCharsets.UTF_8);
        String text = String.join("|", SECRET,
                Base64.getEncoder().encodeToString(raw),
                Base64.getUrlEncoder().withoutPadding().encodeToString(raw),
                URLEncoder.encode(SECRET, StandardCharsets.UTF_8),
                URLEncoder.encode(SECRET, StandardCharsets.UTF_8).replace("+", "%20"),
                URLEncoder.encode(SECRET, StandardCharsets.UTF_8).toLowerCase());

        // When
        String out = redactor.redact(text);
        String outBytes = new String(redactor.redact(text.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);

        // Then
        assertThat(out, equalTo(String.join("|", java.util.Collections.nCopies(6, Redactor.MASK))));
        assertThat(outBytes, equalTo(out));
    }

    @Test
    void leavesTextWithoutSecretsUntouched() {
        // Given
        Redactor redactor = Redactor.of(List.of(SecretValue.of("abc123")));
        byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);

        // When / Then
        assertThat(redactor.redact(body), sameInstance(body));
        assertThat(SecretValue.of("abc123").toString(), not(containsString("abc123")));
    }

    @Test
    void redactsASecretCutAcrossStreamChunks() {
        // Given
        Redactor.Streaming stream = Redactor.of(List.of(SecretValue.of("topsecret"))).streaming();

        // When the secret arrives split over two chunks
        String out = new String(stream.push("data: tops".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8)
                + new String(stream.push("ecret and more ".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8)
                + new String(stream.push("x".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8)
                + new String(stream.finish(), StandardCharsets.UTF_8);

        // Then
        assertThat(out, equalTo("data: [REDACTED] and more x"));
    }
}
