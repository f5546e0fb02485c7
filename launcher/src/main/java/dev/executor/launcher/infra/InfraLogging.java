package dev.executor.launcher.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the embedded servers quiet: their loggers go to WARN. Applied in code rather than with a
 * {@code logging.properties} because this jar sits on services' test classpaths, where Quarkus
 * owns the logging configuration (its {@code quarkus.log.category} settings still win when set).
 */
public final class InfraLogging {

    /** Logger categories of the embedded servers and their libraries. */
    public static final List<String> QUIET_CATEGORIES = List.of(
            "kafka", "org.apache.kafka", "state.change.logger", "io.zonky", "org.apache.zookeeper");

    // JUL holds loggers weakly: keep them referenced or the level is forgotten.
    private static final List<Object> HELD = new ArrayList<>();

    private InfraLogging() {
    }

    /** Sets every {@link #QUIET_CATEGORIES} logger to WARN unless a level was already configured. */
    public static synchronized void quiet() {
        if (!HELD.isEmpty()) {
            return;
        }
        for (String category : QUIET_CATEGORIES) {
            Logger logger = Logger.getLogger(category);
            if (logger.getLevel() == null) {
                logger.setLevel(Level.WARNING);
            }
            HELD.add(logger);
            // slf4j-jboss-logmanager logs through the JBoss log context even when JUL's manager is
            // not JBoss LogManager (e.g. a plain `java -cp` run), so set the level there too.
            org.jboss.logmanager.Logger jboss = org.jboss.logmanager.LogContext.getLogContext().getLogger(category);
            if (jboss.getLevel() == null) {
                jboss.setLevel(Level.WARNING);
            }
            HELD.add(jboss);
        }
    }

    /**
     * Sends all log output to stderr, so that a server's stdout carries only the {@code READY}
     * line that {@code ./executor} waits for. Used by the servers' {@code main}s.
     */
    public static void toStderr() {
        org.jboss.logmanager.Logger root = org.jboss.logmanager.LogContext.getLogContext().getLogger("");
        for (java.util.logging.Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        org.jboss.logmanager.handlers.ConsoleHandler stderr = new org.jboss.logmanager.handlers.ConsoleHandler(
                org.jboss.logmanager.handlers.ConsoleHandler.Target.SYSTEM_ERR,
                new org.jboss.logmanager.formatters.PatternFormatter("%d{HH:mm:ss,SSS} %-5p [%c{3.}] %s%e%n"));
        root.addHandler(stderr);
        HELD.add(root);
    }
}
