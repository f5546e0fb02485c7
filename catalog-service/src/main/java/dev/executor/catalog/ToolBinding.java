package dev.executor.catalog;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** The lane-specific facts the invoker needs to build the upstream call for one tool. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "lane")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ToolBinding.Http.class, name = "http"),
        @JsonSubTypes.Type(value = ToolBinding.Graphql.class, name = "graphql"),
        @JsonSubTypes.Type(value = ToolBinding.Mcp.class, name = "mcp") })
public sealed interface ToolBinding {

    /** Where an argument goes in an HTTP request. */
    enum Location {
        PATH, QUERY, HEADER, COOKIE
    }

    /**
     * One HTTP parameter.
     *
     * @param name the parameter name on the wire
     * @param argument the top-level argument carrying its value
     */
    record Parameter(String name, Location location, String argument, boolean required) {
    }

    /**
     * An OpenAPI operation.
     *
     * @param pathTemplate relative to the source's base URL, e.g. {@code /repos/{owner}/{repo}/issues}
     * @param bodyArgument the top-level argument carrying the whole body; empty when there is no body or
     *        when the body is flattened
     * @param bodyProperties when the body object was flattened into the arguments: the top-level arguments
     *        that make up the body object
     */
    record Http(String method, String pathTemplate, List<Parameter> parameters, String bodyArgument,
            String bodyContentType, List<String> bodyProperties) implements ToolBinding {
    }

    /** A GraphQL root field; arguments map 1:1 onto the document's variables. */
    record Graphql(String endpointPath, String document, String operationName, String operationType)
            implements ToolBinding {
    }

    /** A tool of an upstream MCP server. */
    record Mcp(String transport, String url, String command, List<String> args, String upstreamTool)
            implements ToolBinding {
    }
}
