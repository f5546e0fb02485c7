package dev.executor.catalog.source;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.executor.catalog.config.CatalogConfig;

/**
 * The one way the catalog reaches a URL an admin gave it: OpenAPI/GraphQL documents and
 * introspection ({@link DocumentLoader}) and MCP servers ({@code source.mcp}).
 *
 * <p><b>Egress.</b> Requests go straight to the network today: nothing yet refuses private or
 * loopback ranges or hosts outside an allow-list (the SSRF concern of an admin-supplied URL). This
 * class is the single place an egress guard must wrap (resolve and check the destination, follow
 * redirects by hand and re-check each hop) so that every import path is covered at once; never
 * build another {@link HttpClient} in the catalog.
 *
 * <p>Thread-safe; {@link #send} blocks and is only called from worker threads.
 */
@ApplicationScoped
public class UpstreamHttp {

    private final HttpClient client;

    @Inject
    public UpstreamHttp(CatalogConfig config) {
        this(config.importing().fetchTimeout());
    }

    public UpstreamHttp(Duration connectTimeout) {
        this.client = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** Sends {@code request}; blocking. */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) throws IOException, InterruptedException {
        return client.send(request, body);
    }
}
