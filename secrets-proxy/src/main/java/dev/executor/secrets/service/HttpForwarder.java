package dev.executor.secrets.service;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import dev.executor.contracts.ErrorReasons;
import dev.executor.secrets.EgressRule;
import dev.executor.secrets.service.EgressGuard.Target;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

/**
 * Sends one HTTP exchange to an egress-checked destination with the Vert.x HTTP client
 * (non-blocking, keep-alive pooled per destination). Connects to the address the
 * {@link EgressGuard} checked, presenting the host name in {@code Host} and TLS SNI (with host name
 * verification). Redirects are never followed by the client: a same-origin redirect is re-checked
 * and followed here up to a limit; any other redirect is returned to the caller as is, without
 * having sent the credential anywhere else. Bounds the response body and the total time.
 * Thread-safe.
 */
public class HttpForwarder {

    /** Limits applied to every exchange. */
    public record Limits(Duration timeout, Duration connectTimeout, int maxResponseBytes, int maxRedirects, int maxPoolSize,
            Duration streamTimeout) {
    }

    /** One part of a streamed response: a head, body bytes, then an end. */
    public sealed interface Part permits Head, Data, End {
    }

    public record Head(int status, List<Map.Entry<String, String>> headers) implements Part {
    }

    public record Data(byte[] bytes) implements Part {
    }

    public record End(boolean truncated) implements Part {
    }

    /** An outgoing request, credentials included (the {@code inject} step adds them per hop). */
    public record Outgoing(String method, URI url, List<Map.Entry<String, String>> headers, byte[] body) {
    }

    /** An upstream answer, before redaction. */
    public record Incoming(int status, List<Map.Entry<String, String>> headers, byte[] body, boolean redirected, boolean truncated) {
    }

    /** Hop-by-hop headers, never forwarded in either direction (plus Host and Content-Length, set by the client). */
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
            "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length");

    private final HttpClient client;
    private final EgressGuard guard;
    private final Limits limits;
    private final Vertx vertx;

    public HttpForwarder(Vertx vertx, EgressGuard guard, Limits limits) {
        this.vertx = vertx;
        this.guard = guard;
        this.limits = limits;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true)
                .setMaxPoolSize(limits.maxPoolSize())
                .setConnectTimeout((int) limits.connectTimeout().toMillis())
                .setVerifyHost(true)
                .setForceSni(true)
                .setTryUseCompression(false)
                .setName("secrets-proxy-upstream"));
    }

    /**
     * Checks {@code request.url} and sends it; {@code inject} adds the credential to each hop's
     * request (and sees the hop's URL, for query-parameter keys).
     */
    public Uni<Incoming> send(Outgoing request, Function<Outgoing, Outgoing> inject, List<String> hosts, List<EgressRule> egress,
            String label, Duration timeout) {
        Duration budget = timeout == null || timeout.isZero() || timeout.compareTo(limits.timeout()) > 0 ? limits.timeout() : timeout;
        long deadline = System.nanoTime() + budget.toNanos();
        return guard.check(request.url(), hosts, egress, label)
                .flatMap(target -> exchange(target, request, inject, hosts, egress, label, deadline, 0))
                .ifNoItem().after(budget).failWith(() -> new ProxyException(ErrorReasons.UPSTREAM_TIMEOUT,
                        "the upstream did not answer within " + budget.toMillis() + " ms"));
    }

    private Uni<Incoming> exchange(Target target, Outgoing request, Function<Outgoing, Outgoing> inject, List<String> hosts,
            List<EgressRule> egress, String label, long deadline, int hops) {
        Outgoing hop = inject.apply(new Outgoing(request.method(), target.uri(), request.headers(), request.body()));
        return once(target, hop, deadline).flatMap(response -> {
            String location = header(response, "location");
            if (!isRedirect(response.status()) || location == null) {
                return Uni.createFrom().item(hops > 0 ? redirected(response) : response);
            }
            URI next;
            try {
                next = target.uri().resolve(location.trim());
            } catch (IllegalArgumentException e) {
                return Uni.createFrom().item(response);
            }
            if (hops >= limits.maxRedirects() || !target.sameOrigin(next)) {
                // Not followed: the caller sees the 3xx, the credential went nowhere else.
                return Uni.createFrom().item(hops > 0 ? redirected(response) : response);
            }
            boolean toGet = response.status() == 303
                    || ((response.status() == 301 || response.status() == 302) && "POST".equals(request.method()));
            Outgoing followed = toGet
                    ? new Outgoing("GET", next, withoutBodyHeaders(request.headers()), new byte[0])
                    : new Outgoing(request.method(), next, request.headers(), request.body());
            return guard.check(next, hosts, egress, label)
                    .flatMap(t -> exchange(t, followed, inject, hosts, egress, label, deadline, hops + 1));
        });
    }

    /**
     * Streams one exchange (SSE, streamable HTTP): a {@link Head}, {@link Data} as it arrives, an
     * {@link End}. Redirects are not followed (the 3xx head is returned); the stream is cut, with
     * {@code End(truncated)}, at the response size limit or after the stream timeout. Cancelling
     * the subscription resets the upstream request.
     */
    public io.smallrye.mutiny.Multi<Part> stream(Outgoing request, Function<Outgoing, Outgoing> inject, List<String> hosts,
            List<EgressRule> egress, String label, Duration timeout) {
        Duration budget = timeout == null || timeout.isZero() || timeout.compareTo(limits.streamTimeout()) > 0
                ? limits.streamTimeout() : timeout;
        long deadline = System.nanoTime() + budget.toNanos();
        return guard.check(request.url(), hosts, egress, label).onItem().transformToMulti(target ->
                io.smallrye.mutiny.Multi.createFrom().<Part>emitter(em -> {
                    Outgoing hop = inject.apply(new Outgoing(request.method(), target.uri(), request.headers(), request.body()));
                    AtomicBoolean done = new AtomicBoolean();
                    java.util.concurrent.atomic.AtomicReference<io.vertx.core.http.HttpClientRequest> sent = new java.util.concurrent.atomic.AtomicReference<>();
                    long timer = vertx.setTimer(budget.toMillis(), id -> {
                        if (done.compareAndSet(false, true)) {
                            em.emit(new End(true));
                            em.complete();
                            if (sent.get() != null) {
                                sent.get().reset();
                            }
                        }
                    });
                    em.onTermination(() -> {
                        vertx.cancelTimer(timer);
                        if (done.compareAndSet(false, true) && sent.get() != null) {
                            sent.get().reset();
                        }
                    });
                    client.request(options(target, hop, deadline)).onComplete(ar -> {
                        if (ar.failed()) {
                            if (done.compareAndSet(false, true)) {
                                em.fail(upstreamFailure(ar.cause()));
                            }
                            return;
                        }
                        var req = ar.result();
                        sent.set(req);
                        req.response().onComplete(rr -> {
                            if (rr.failed()) {
                                if (done.compareAndSet(false, true)) {
                                    em.fail(upstreamFailure(rr.cause()));
                                }
                                return;
                            }
                            HttpClientResponse response = rr.result();
                            em.emit(new Head(response.statusCode(), headers(response)));
                            java.util.concurrent.atomic.AtomicLong size = new java.util.concurrent.atomic.AtomicLong();
                            response.handler(chunk -> {
                                if (done.get()) {
                                    return;
                                }
                                long room = limits.maxResponseBytes() - size.get();
                                if (chunk.length() > room) {
                                    if (room > 0) {
                                        em.emit(new Data(chunk.getBytes(0, (int) room)));
                                    }
                                    if (done.compareAndSet(false, true)) {
                                        em.emit(new End(true));
                                        em.complete();
                                        req.reset();
                                    }
                                } else {
                                    size.addAndGet(chunk.length());
                                    em.emit(new Data(chunk.getBytes()));
                                }
                            });
                            response.exceptionHandler(t -> {
                                if (done.compareAndSet(false, true)) {
                                    em.fail(upstreamFailure(t));
                                }
                            });
                            response.endHandler(v -> {
                                if (done.compareAndSet(false, true)) {
                                    em.emit(new End(false));
                                    em.complete();
                                }
                            });
                        });
                        if (hop.body() == null || hop.body().length == 0) {
                            req.end();
                        } else {
                            req.end(Buffer.buffer(hop.body()));
                        }
                    });
                }));
    }

    private static List<Map.Entry<String, String>> headers(HttpClientResponse response) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        response.headers().forEach(h -> {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                headers.add(Map.entry(h.getKey(), h.getValue()));
            }
        });
        return headers;
    }

    private RequestOptions options(Target target, Outgoing hop, long deadline) {
        long remainingMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.valueOf(hop.method()))
                .setServer(SocketAddress.inetSocketAddress(target.port(), target.address().getHostAddress()))
                .setHost(target.host())
                .setPort(target.port())
                .setSsl(target.tls())
                .setURI(pathAndQuery(hop.url()))
                .setFollowRedirects(false)
                .setIdleTimeout(remainingMs);
        for (Map.Entry<String, String> h : hop.headers()) {
            options.addHeader(h.getKey(), h.getValue());
        }
        return options;
    }

    private Uni<Incoming> once(Target target, Outgoing hop, long deadline) {
        RequestOptions options = options(target, hop, deadline);
        Promise<Incoming> promise = Promise.promise();
        client.request(options).onComplete(ar -> {
            if (ar.failed()) {
                promise.tryFail(ar.cause());
                return;
            }
            var req = ar.result();
            req.exceptionHandler(promise::tryFail);
            req.response().onComplete(rr -> {
                if (rr.failed()) {
                    promise.tryFail(rr.cause());
                    return;
                }
                read(rr.result(), promise);
            });
            if (hop.body() == null || hop.body().length == 0) {
                req.end();
            } else {
                req.end(Buffer.buffer(hop.body()));
            }
        });
        return Uni.createFrom().completionStage(() -> promise.future().toCompletionStage())
                .onFailure(t -> !(t instanceof ProxyException)).transform(this::upstreamFailure);
    }

    private void read(HttpClientResponse response, Promise<Incoming> promise) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        AtomicBoolean truncated = new AtomicBoolean();
        List<Map.Entry<String, String>> headers = headers(response);
        response.handler(chunk -> {
            if (truncated.get()) {
                return;
            }
            int room = limits.maxResponseBytes() - body.size();
            if (chunk.length() > room) {
                body.write(chunk.getBytes(0, Math.max(room, 0)), 0, Math.max(room, 0));
                truncated.set(true);
                promise.tryComplete(new Incoming(response.statusCode(), headers, body.toByteArray(), false, true));
                response.request().reset();
            } else {
                body.writeBytes(chunk.getBytes());
            }
        });
        response.exceptionHandler(promise::tryFail);
        response.endHandler(v -> promise.tryComplete(new Incoming(response.statusCode(), headers, body.toByteArray(), false,
                truncated.get())));
    }

    private Throwable upstreamFailure(Throwable t) {
        if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
            return new ProxyException(ErrorReasons.UPSTREAM_TIMEOUT, "the upstream did not answer in time");
        }
        String why = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return new ProxyException(ErrorReasons.UPSTREAM_ERROR, "the upstream could not be reached: " + why);
    }

    private static String pathAndQuery(URI url) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    }

    private static Incoming redirected(Incoming r) {
        return new Incoming(r.status(), r.headers(), r.body(), true, r.truncated());
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    static String header(Incoming response, String name) {
        for (Map.Entry<String, String> h : response.headers()) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    private static List<Map.Entry<String, String>> withoutBodyHeaders(List<Map.Entry<String, String>> headers) {
        return headers.stream().filter(h -> !h.getKey().toLowerCase(Locale.ROOT).startsWith("content-")).toList();
    }

    public void close() {
        client.close();
    }
}
