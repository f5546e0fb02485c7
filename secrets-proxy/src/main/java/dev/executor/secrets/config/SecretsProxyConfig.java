package dev.executor.secrets.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Everything secrets-proxy can be tuned with, under {@code secrets-proxy.*}. */
@ConfigMapping(prefix = "secrets-proxy")
public interface SecretsProxyConfig {

    Forward forward();

    Providers providers();

    Stored stored();

    OAuth oauth();

    Connections connections();

    /** Verified bearer tokens kept in memory, so a caller's token is not re-verified on every call. */
    TokenCache tokenCache();

    interface Forward {
        /** Cap on one upstream exchange, redirects included; a shorter request timeout wins. */
        @WithDefault("30s")
        Duration timeout();

        /** TCP (and TLS) connect timeout. */
        @WithDefault("5s")
        Duration connectTimeout();

        /** Largest request body accepted from the caller; larger is INVALID_ARGUMENTS. */
        @WithDefault("10485760")
        int maxRequestBytes();

        /** Largest response body returned; the rest is cut and {@code truncated} set. */
        @WithDefault("10485760")
        int maxResponseBytes();

        /** Same-host redirects followed per request (each re-checked); other-host redirects are never followed. */
        @WithDefault("3")
        int maxRedirects();

        /** Cap on one ForwardStream (SSE, streamable HTTP); a shorter request timeout wins. */
        @WithDefault("300s")
        Duration streamTimeout();

        /** Keep-alive connections per upstream destination. */
        @WithDefault("64")
        int maxPoolSize();
    }

    interface Providers {
        Env env();

        File file();

        interface Env {
            /**
             * Only environment variables whose name starts with this prefix can be referenced
             * ({@code env://EXECUTOR_SECRET_GITHUB}), so a connection cannot read the service's own
             * configuration (database password, stored-secret keys).
             */
            @WithDefault("EXECUTOR_SECRET_")
            String prefix();
        }

        interface File {
            /**
             * Directories {@code file://} refs may point into (symlinks resolved first), e.g. where
             * Kubernetes mounts secret volumes. Nothing outside them can be read.
             */
            @WithDefault("/var/run/secrets/executor")
            List<Path> roots();
        }
    }

    interface Stored {
        /**
         * The key ring for {@code stored://} secrets, {@code <key-id>=<location>} entries where a
         * location is {@code env:<VAR>} or {@code file:<path>} holding a base64 256-bit AES key.
         * Unset: stored secrets are disabled.
         */
        Optional<List<String>> keys();

        /** Id of the key new secrets are encrypted under and {@code rotate} re-encrypts to; default: the first key. */
        Optional<String> activeKey();
    }

    interface OAuth {
        /** An access token is refreshed this long before it expires. */
        @WithDefault("30s")
        Duration refreshSkew();

        /** Timeout of one token endpoint call. */
        @WithDefault("10s")
        Duration tokenTimeout();

        /** Lifetime assumed when the token endpoint gives no {@code expires_in}. */
        @WithDefault("300s")
        Duration defaultLifetime();
    }

    interface Connections {
        /**
         * SecretRef kinds a non-admin may reference when creating a connection in their own user
         * scope. Default none: users write secret values (kept as {@code stored://}); {@code env://}
         * and {@code file://} refs point at the platform's secrets and are for admins.
         */
        Optional<List<String>> userProviders();

        /** How long Forward may reuse a looked-up connection before reading it again. */
        @WithDefault("2s")
        Duration cacheTtl();
    }

    interface TokenCache {
        /** Whether verified tokens are cached at all; off = every call verifies its token's signature. */
        @WithDefault("true")
        boolean enabled();

        /**
         * The longest a verified token is served from memory (never past its own {@code exp}): also
         * how long a token stays accepted after its signing key was removed from the realm.
         */
        @WithDefault("60s")
        Duration ttl();

        /** How many verified tokens are kept (callers are a handful of service accounts). */
        @WithDefault("1024")
        int maxSize();
    }
}
