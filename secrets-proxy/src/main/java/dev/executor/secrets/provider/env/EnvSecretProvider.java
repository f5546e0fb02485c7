package dev.executor.secrets.provider.env;

import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.executor.secrets.SecretRef;
import dev.executor.secrets.SecretValue;
import dev.executor.secrets.config.SecretsProxyConfig;
import dev.executor.secrets.provider.SecretProvider;
import dev.executor.secrets.provider.SecretUnavailableException;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;

/**
 * {@code env://VAR}: the value of an environment variable of this process, read at call time.
 * Only variables starting with {@code secrets-proxy.providers.env.prefix} ({@code EXECUTOR_SECRET_})
 * can be referenced, so a connection can never read the service's own configuration. Reading the
 * environment does not block.
 */
@ApplicationScoped
@Identifier("env")
public class EnvSecretProvider implements SecretProvider {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final String prefix;
    private final UnaryOperator<String> environment;

    @Inject
    public EnvSecretProvider(SecretsProxyConfig config) {
        this(config.providers().env().prefix(), System::getenv);
    }

    /** With an explicit environment, for tests. */
    public EnvSecretProvider(String prefix, UnaryOperator<String> environment) {
        this.prefix = prefix;
        this.environment = environment;
    }

    @Override
    public String kind() {
        return "env";
    }

    @Override
    public void validate(SecretRef ref) {
        String name = ref.location();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("env:// refs name an environment variable, e.g. env://" + prefix + "GITHUB_TOKEN");
        }
        if (!name.startsWith(prefix)) {
            throw new IllegalArgumentException("env:// refs may only name variables starting with " + prefix);
        }
    }

    @Override
    public Uni<SecretValue> resolve(SecretRef ref, UUID connectionId) {
        return Uni.createFrom().item(() -> {
            validate(ref);
            String value = environment.apply(ref.location());
            if (value == null || value.isEmpty()) {
                throw new SecretUnavailableException("environment variable " + ref.location() + " is not set");
            }
            return SecretValue.of(value);
        });
    }
}
