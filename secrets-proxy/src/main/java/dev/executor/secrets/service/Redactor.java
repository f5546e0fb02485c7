package dev.executor.secrets.service;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.executor.secrets.SecretValue;

/**
 * Removes secret values from what goes back to the caller: each value, and its base64 (standard and
 * URL-safe, padded or not), URL-encoded (form and percent) forms, replaced by {@value #MASK}. Longer
 * forms are replaced first, so a value that is a prefix of another form cannot leave a tail behind.
 * Immutable and thread-safe.
 */
public final class Redactor {

    public static final String MASK = "[REDACTED]";
    private static final byte[] MASK_BYTES = MASK.getBytes(StandardCharsets.UTF_8);
    private static final Redactor NONE = new Redactor(List.of(), List.of());

    private final List<SecretValue> secrets;
    private final List<String> forms;
    private final List<byte[]> formBytes;

    private Redactor(List<SecretValue> secrets, List<String> forms) {
        this.secrets = secrets;
        this.forms = forms;
        this.formBytes = forms.stream().map(f -> f.getBytes(StandardCharsets.UTF_8)).toList();
    }

    public static Redactor none() {
        return NONE;
    }

    public static Redactor of(List<SecretValue> secrets) {
        if (secrets.isEmpty()) {
            return NONE;
        }
        Set<String> forms = new LinkedHashSet<>();
        for (SecretValue secret : secrets) {
            String v = secret.reveal();
            byte[] raw = v.getBytes(StandardCharsets.UTF_8);
            forms.add(v);
            forms.add(Base64.getEncoder().encodeToString(raw));
            forms.add(Base64.getEncoder().withoutPadding().encodeToString(raw));
            forms.add(Base64.getUrlEncoder().encodeToString(raw));
            forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
            String form = URLEncoder.encode(v, StandardCharsets.UTF_8);
            forms.add(form);
            forms.add(form.replace("+", "%20"));
            forms.add(lowerHexEscapes(form));
        }
        List<String> sorted = new ArrayList<>(forms);
        sorted.removeIf(String::isEmpty);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        return new Redactor(List.copyOf(secrets), List.copyOf(sorted));
    }

    /** Adds more values, e.g. a freshly fetched access token. */
    public Redactor with(List<SecretValue> more) {
        List<SecretValue> all = new ArrayList<>(secrets);
        all.addAll(more);
        return of(all);
    }

    /**
     * Redaction over a byte stream whose chunk boundaries may cut a secret in two: each push returns
     * what is safe to emit and holds back the last (longest form - 1) bytes until the next chunk or
     * {@link Streaming#finish()}. Not thread-safe: one per stream.
     */
    public Streaming streaming() {
        return new Streaming();
    }

    /** See {@link #streaming()}. */
    public final class Streaming {

        private final int keep = formBytes.stream().mapToInt(f -> f.length).max().orElse(1) - 1;
        private byte[] tail = new byte[0];

        public byte[] push(byte[] chunk) {
            if (formBytes.isEmpty()) {
                return chunk;
            }
            byte[] combined = new byte[tail.length + chunk.length];
            System.arraycopy(tail, 0, combined, 0, tail.length);
            System.arraycopy(chunk, 0, combined, tail.length, chunk.length);
            byte[] red = redact(combined);
            if (red.length <= keep) {
                tail = red;
                return new byte[0];
            }
            tail = java.util.Arrays.copyOfRange(red, red.length - keep, red.length);
            return java.util.Arrays.copyOfRange(red, 0, red.length - keep);
        }

        public byte[] finish() {
            byte[] rest = tail;
            tail = new byte[0];
            return rest;
        }
    }

    public boolean isEmpty() {
        return forms.isEmpty();
    }

    public String redact(String text) {
        if (text == null || forms.isEmpty()) {
            return text;
        }
        String out = text;
        for (String form : forms) {
            if (out.contains(form)) {
                out = out.replace(form, MASK);
            }
        }
        return out;
    }

    public byte[] redact(byte[] body) {
        if (body == null || body.length == 0 || forms.isEmpty()) {
            return body;
        }
        byte[] out = body;
        for (byte[] form : formBytes) {
            out = replace(out, form);
        }
        return out;
    }

    private static byte[] replace(byte[] in, byte[] form) {
        int first = indexOf(in, form, 0);
        if (first < 0) {
            return in;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(in.length);
        int from = 0;
        for (int at = first; at >= 0; at = indexOf(in, form, from)) {
            out.write(in, from, at - from);
            out.write(MASK_BYTES, 0, MASK_BYTES.length);
            from = at + form.length;
        }
        out.write(in, from, in.length - from);
        return out.toByteArray();
    }

    private static int indexOf(byte[] in, byte[] form, int from) {
        byte head = form[0];
        int last = in.length - form.length;
        outer:
        for (int i = from; i <= last; i++) {
            if (in[i] != head) {
                continue;
            }
            for (int j = 1; j < form.length; j++) {
                if (in[i + j] != form[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String lowerHexEscapes(String encoded) {
        StringBuilder sb = new StringBuilder(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%' && i + 2 < encoded.length()) {
                sb.append(c).append(Character.toLowerCase(encoded.charAt(i + 1))).append(Character.toLowerCase(encoded.charAt(i + 2)));
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
