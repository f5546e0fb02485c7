package dev.executor.invoker.service;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import dev.executor.invoker.persistence.SchemaMigrator;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** Runs {@link Invocations#recoverLapsed} on every instance; row conditions keep two instances from failing a Run twice. */
@ApplicationScoped
public class Recovery {

    private static final Logger LOG = Logger.getLogger(Recovery.class);

    private final Invocations invocations;
    private final SchemaMigrator schema;

    public Recovery(Invocations invocations, @Readiness SchemaMigrator schema) {
        this.invocations = invocations;
        this.schema = schema;
    }

    @Scheduled(every = "${invoker.call.recovery-every:10s}", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> recover() {
        if (!schema.isMigrated()) {
            return Uni.createFrom().voidItem();
        }
        return invocations.recoverLapsed().onFailure().invoke(e -> LOG.warnf("Lease recovery failed (%s); will retry", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }
}
