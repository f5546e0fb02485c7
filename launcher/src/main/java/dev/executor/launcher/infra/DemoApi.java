package dev.executor.launcher.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A small API to try Executor with, on loopback only: an inventory with an OpenAPI document at
 * {@code /openapi.json} and items at {@code /items}, which answer only with
 * {@code Authorization: Bearer <token>} (so a connection's credential visibly matters). State is
 * in memory.
 *
 * <p>As its own process ({@code ./executor demo}): {@code java -cp <launcher classpath>
 * dev.executor.launcher.infra.DemoApi --port 8090 [--token demo-token]} prints
 * {@code READY http://127.0.0.1:8090} and runs until SIGTERM.
 */
public final class DemoApi implements AutoCloseable {

    public static final String DEFAULT_TOKEN = "demo-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String token;
    private final Map<String, ObjectNode> items = new ConcurrentSkipListMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final HttpServer server;

    public DemoApi(int port, String token) {
        this.token = token;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        add("Widget", 12);
        add("Gadget", 3);
        add("Sprocket", 40);
    }

    public DemoApi start() {
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private ObjectNode add(String name, int quantity) {
        String id = "item-" + ids.incrementAndGet();
        ObjectNode item = JSON.createObjectNode().put("id", id).put("name", name).put("quantity", quantity);
        items.put(id, item);
        return item;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/openapi.json") && method.equals("GET")) {
                send(exchange, 200, openapi());
                return;
            }
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer");
                send(exchange, 401, problem(401, "Send Authorization: Bearer <the demo token>."));
                return;
            }
            if (path.equals("/items")) {
                switch (method) {
                    case "GET" -> send(exchange, 200, JSON.writeValueAsString(list(query(exchange, "name"))));
                    case "POST" -> create(exchange);
                    default -> send(exchange, 405, problem(405, "Use GET or POST on /items."));
                }
                return;
            }
            if (path.startsWith("/items/") && path.indexOf('/', 7) < 0) {
                String id = path.substring(7);
                ObjectNode item = items.get(id);
                if (item == null) {
                    send(exchange, 404, problem(404, "No item " + id + "."));
                } else if (method.equals("GET")) {
                    send(exchange, 200, item.toString());
                } else if (method.equals("DELETE")) {
                    items.remove(id);
                    exchange.sendResponseHeaders(204, -1);
                } else {
                    send(exchange, 405, problem(405, "Use GET or DELETE on /items/{id}."));
                }
                return;
            }
            send(exchange, 404, problem(404, "No such path; the API is described at /openapi.json."));
        }
    }

    private List<ObjectNode> list(String name) {
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode item : items.values()) {
            if (name == null || item.get("name").asText().toLowerCase().contains(name.toLowerCase())) {
                out.add(item);
            }
        }
        return out;
    }

    private void create(HttpExchange exchange) throws IOException {
        JsonNode body;
        try (InputStream in = exchange.getRequestBody()) {
            body = JSON.readTree(in);
        } catch (IOException e) {
            send(exchange, 400, problem(400, "The body must be JSON: {\"name\": ..., \"quantity\": ...}."));
            return;
        }
        if (body == null || !body.path("name").isTextual() || body.path("name").asText().isBlank()) {
            send(exchange, 400, problem(400, "\"name\" is required."));
            return;
        }
        send(exchange, 201, add(body.get("name").asText(), body.path("quantity").asInt(1)).toString());
    }

    private static String query(HttpExchange exchange, String name) {
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null) {
            return null;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private String openapi() throws IOException {
        try (InputStream in = DemoApi.class.getResourceAsStream("/demo/openapi.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${port}", String.valueOf(port()));
        }
    }

    private static String problem(int status, String detail) {
        return JSON.createObjectNode().put("status", status).put("detail", detail).toString();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    public static void main(String[] args) {
        ServerMain main = new ServerMain(args, "DemoApi [--port 8090] [--token demo-token]");
        int port = main.intOption("port", 8090);
        String token = main.option("token") == null ? DEFAULT_TOKEN : main.option("token");
        DemoApi api = new DemoApi(port, token);
        main.run(new ServerMain.Server() {
            @Override
            public String start() {
                return api.start().url();
            }

            @Override
            public void stop() {
                api.close();
            }
        });
    }
}
