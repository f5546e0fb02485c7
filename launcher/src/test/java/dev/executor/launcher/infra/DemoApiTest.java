package dev.executor.launcher.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class DemoApiTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static DemoApi api;

    @BeforeAll
    static void start() {
        api = new DemoApi(0, "t0ken").start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void servesItsOpenApiDocumentWithItsOwnAddressAndNoToken() throws Exception {
        HttpResponse<String> doc = send("GET", "/openapi.json", null, null);

        assertEquals(200, doc.statusCode());
        JsonNode openapi = JSON.readTree(doc.body());
        assertEquals(api.url(), openapi.at("/servers/0/url").asText());
        assertEquals("listItems", openapi.at("/paths/~1items/get/operationId").asText());
    }

    @Test
    void refusesItemsWithoutTheTokenAsAProblem() throws Exception {
        HttpResponse<String> none = send("GET", "/items", null, null);
        HttpResponse<String> wrong = send("GET", "/items", "nope", null);

        assertEquals(401, none.statusCode());
        assertEquals(401, wrong.statusCode());
        assertEquals("application/problem+json", wrong.headers().firstValue("Content-Type").orElse(""));
        assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
    }

    @Test
    void listsCreatesFindsAndDeletesItems() throws Exception {
        // When a client adds an item and filters by name
        HttpResponse<String> created = send("POST", "/items", "t0ken", "{\"name\":\"Flange\",\"quantity\":5}");
        String id = JSON.readTree(created.body()).get("id").asText();
        JsonNode found = JSON.readTree(send("GET", "/items?name=flan", "t0ken", null).body());

        // Then it is there, alone under that filter, until deleted
        assertEquals(201, created.statusCode());
        assertEquals(1, found.size());
        assertEquals(5, found.get(0).get("quantity").asInt());
        assertEquals(200, send("GET", "/items/" + id, "t0ken", null).statusCode());
        assertEquals(204, send("DELETE", "/items/" + id, "t0ken", null).statusCode());
        assertEquals(404, send("GET", "/items/" + id, "t0ken", null).statusCode());
        assertTrue(JSON.readTree(send("GET", "/items", "t0ken", null).body()).size() >= 3, "the seeded items remain");
        assertEquals(400, send("POST", "/items", "t0ken", "{\"quantity\":1}").statusCode());
    }

    static HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.url() + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
