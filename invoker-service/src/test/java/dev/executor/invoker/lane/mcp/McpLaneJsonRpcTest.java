package dev.executor.invoker.lane.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.LaneException;

/** Reading JSON-RPC answers in the shapes MCP servers send them. */
class McpLaneJsonRpcTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void readsEveryEventOfAnEventStreamWithMultiLineDataAndCrLf() {
        // Given
        String body = "event: message\r\nid: 1\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\n: comment\n\ndata:{\"b\":2}\n\ndata: {\"c\":3}";

        // When
        List<String> events = JsonRpc.sseData(body);

        // Then
        assertEquals(List.of("{\"a\":\n1}", "{\"b\":2}", "{\"c\":3}"), events);
    }

    @Test
    void findsTheResponseWithTheRequestIdInABatchAndSkipsNotificationsAndServerRequests() throws Exception {
        // Given
        JsonNode batch = MAPPER.readTree("""
                [{"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}},
                 {"jsonrpc":"2.0","id":7,"method":"ping"},
                 {"jsonrpc":"2.0","id":6,"result":{"content":[]}},
                 {"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"mine"}]}}]""");

        // When
        JsonNode response = JsonRpc.findResponse(batch, 7);

        // Then
        assertEquals("mine", response.at("/result/content/0/text").asText());
        assertNull(JsonRpc.findResponse(batch, 8));
    }

    @Test
    void acceptsAStringIdEqualToTheNumericRequestId() throws Exception {
        // When
        JsonNode response = JsonRpc.findResponse(MAPPER.readTree("{\"jsonrpc\":\"2.0\",\"id\":\"12\",\"result\":{}}"), 12);

        // Then
        assertEquals("12", response.get("id").asText());
    }

    @Test
    void turnsAJsonRpcErrorIntoUpstreamErrorWithCodeAndMessage() throws Exception {
        // Given
        JsonNode response = MAPPER.readTree("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Unknown tool: nope\"}}");

        // When
        LaneException e = assertThrows(LaneException.class, () -> JsonRpc.result(response, "tools/call", "'node'"));

        // Then
        assertEquals(ErrorReasons.UPSTREAM_ERROR, e.reason());
        assertEquals(-32602, e.detail().get("code").asInt());
        assertTrue(e.getMessage().contains("Unknown tool: nope"), e.getMessage());
    }

    @Test
    void marksAnIsErrorResultAsToolError() throws Exception {
        // When / Then
        assertTrue(JsonRpc.toolResult(MAPPER.readTree("{\"content\":[],\"isError\":true}")).toolError());
        assertEquals(false, JsonRpc.toolResult(MAPPER.readTree("{\"content\":[]}")).toolError());
    }
}
