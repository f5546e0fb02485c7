package dev.executor.secrets.service;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.executor.secrets.config.SecretsProxyConfig;
import io.vertx.core.Vertx;

/** The one upstream HTTP client of the service, with the configured limits. */
public class ForwarderProducer {

    @Produces
    @Singleton
    HttpForwarder forwarder(Vertx vertx, SecretsProxyConfig config) {
        var f = config.forward();
        return new HttpForwarder(vertx, new EgressGuard(),
                new HttpForwarder.Limits(f.timeout(), f.connectTimeout(), f.maxResponseBytes(), f.maxRedirects(), f.maxPoolSize(),
                        f.streamTimeout()));
    }

    void close(@Disposes HttpForwarder forwarder) {
        forwarder.close();
    }
}
