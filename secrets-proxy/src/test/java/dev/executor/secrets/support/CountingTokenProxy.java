package dev.executor.secrets.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A loopback HTTP proxy in front of the real Keycloak that counts the token requests passing
 * through it, and can hold them until the test releases them (to make two refreshes overlap).
 */
public final class CountingTokenProxy implements AutoCloseable {

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    public CountingTokenProxy(String keycloakBaseUrl) {
        HttpClient client = HttpClient.newHttpClient();
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            try {
                gate.await(30, TimeUnit.SECONDS);
                byte[] body = exchange.getRequestBody().readAllBytes();
                HttpRequest.Builder out = HttpRequest.newBuilder(URI.create(keycloakBaseUrl + exchange.getRequestURI()))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
                for (String h : new String[] { "Content-Type", "Authorization", "Accept" }) {
                    String v = exchange.getRequestHeaders().getFirst(h);
                    if (v != null) {
                        out.header(h, v);
                    }
                }
                HttpResponse<byte[]> response = client.send(out.build(), HttpResponse.BodyHandlers.ofByteArray());
                exchange.getResponseHeaders().add("Content-Type", response.headers().firstValue("Content-Type").orElse("application/json"));
                exchange.sendResponseHeaders(response.statusCode(), response.body().length);
                exchange.getResponseBody().write(response.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
            } finally {
                exchange.close();
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
    }

    /** Token requests seen so far. */
    public int requests() {
        return requests.get();
    }

    /** Holds every request until {@link #release()}. */
    public void hold() {
        gate = new CountDownLatch(1);
    }

    public void release() {
        gate.countDown();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The realm's token endpoint, through this proxy. */
    public String tokenUrl() {
        return "http://127.0.0.1:" + port() + "/realms/executor/protocol/openid-connect/token";
    }

    @Override
    public void close() {
        gate.countDown();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
