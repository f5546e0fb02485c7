package dev.executor.secrets.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP upstream on a loopback address, recording every request it receives (method, path
 * and query, headers, body). Tests script its answers per path.
 */
public final class LoopbackUpstream implements AutoCloseable {

    /** One received request. */
    public record Received(String method, String pathAndQuery, Map<String, List<String>> headers, String body) {

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** A scripted answer. */
    public record Answer(int status, Map<String, String> headers, byte[] body) {

        public static Answer of(int status, String body) {
            return new Answer(status, Map.of("Content-Type", "text/plain"), body.getBytes(StandardCharsets.UTF_8));
        }

        public static Answer redirect(int status, String location) {
            return new Answer(status, Map.of("Location", location), new byte[0]);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    private LoopbackUpstream(HttpServer server) {
        this.server = server;
    }

    /** Starts on {@code address} (e.g. 127.0.0.1) and a free port; {@code script} answers each request. */
    public static LoopbackUpstream start(String address, Function<Received, Answer> script) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(address, 0), 64);
            LoopbackUpstream upstream = new LoopbackUpstream(server);
            server.createContext("/", exchange -> upstream.handle(exchange, script));
            server.setExecutor(Executors.newFixedThreadPool(8));
            server.start();
            return upstream;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange exchange, Function<Received, Answer> script) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        Received r = new Received(exchange.getRequestMethod(),
                exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query),
                Map.copyOf(exchange.getRequestHeaders()),
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        received.add(r);
        Answer answer = script.apply(r);
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
        if (answer.body().length > 0) {
            exchange.getResponseBody().write(answer.body());
        }
        exchange.close();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String host() {
        return server.getAddress().getAddress().getHostAddress();
    }

    /** {@code http://<address>:<port>} */
    public String url() {
        return "http://" + host() + ":" + port();
    }

    public List<Received> received() {
        return received;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
