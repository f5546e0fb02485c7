package dev.executor.launcher.infra;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Shared {@code main} plumbing: {@code --name value} arguments, one {@code READY <info>} line on
 * stdout once the server accepts connections, then block until SIGTERM/SIGINT, when the shutdown
 * hook stops the server. A failed start prints {@code FAILED <reason>} and exits with status 1.
 */
final class ServerMain {

    interface Server {
        /** Starts the server and returns the connection info printed after {@code READY}. */
        String start() throws Exception;

        void stop();
    }

    private final Map<String, String> options = new HashMap<>();

    ServerMain(String[] args, String usage) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println("Usage: " + usage);
                System.exit(0);
            }
            if (!arg.startsWith("--")) {
                fail("unexpected argument " + arg + "; usage: " + usage);
            }
            int eq = arg.indexOf('=');
            if (eq > 0) {
                options.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else if (i + 1 < args.length) {
                options.put(arg.substring(2), args[++i]);
            } else {
                fail("missing value for " + arg + "; usage: " + usage);
            }
        }
    }

    int intOption(String name, int defaultValue) {
        String value = options.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            fail("--" + name + " must be a number, was " + value);
            return defaultValue;
        }
    }

    Path pathOption(String name) {
        String value = options.get(name);
        return value == null ? null : Path.of(value).toAbsolutePath();
    }

    String option(String name) {
        return options.get(name);
    }

    /** Starts {@code server}, prints READY, and blocks until the JVM is asked to stop. */
    void run(Server server) {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        }
        InfraLogging.quiet();
        InfraLogging.toStderr();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                server.stop();
            } finally {
                stopped.countDown();
            }
        }, "executor-infra-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        String info;
        try {
            info = server.start();
        } catch (Exception e) {
            e.printStackTrace();
            fail(String.valueOf(e.getMessage()).replace('\n', ' '));
            return;
        }
        System.out.println("READY " + info);
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void fail(String reason) {
        System.out.println("FAILED " + reason);
        System.out.flush();
        System.exit(1);
    }
}
