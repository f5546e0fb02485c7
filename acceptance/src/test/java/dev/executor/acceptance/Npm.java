package dev.executor.acceptance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Installs the pinned node tooling the acceptance tests drive. npm's output goes to a log file next
 * to the install, never to this JVM's stdout: the failsafe fork talks to Maven over that stream, and
 * a stray line from a child process corrupts it.
 */
final class Npm {

    private Npm() {
    }

    /** {@code npm ci} of {@code from}'s package.json + lock into {@code to}, unless already installed from the same lock. */
    static void ci(Path from, Path to) throws IOException, InterruptedException {
        Files.createDirectories(to);
        byte[] lock = Files.readAllBytes(from.resolve("package-lock.json"));
        Path installedLock = to.resolve("package-lock.json");
        if (Files.isDirectory(to.resolve("node_modules")) && Files.exists(installedLock)
                && Arrays.equals(lock, Files.readAllBytes(installedLock))) {
            return;
        }
        Files.copy(from.resolve("package.json"), to.resolve("package.json"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(from.resolve("package-lock.json"), installedLock, StandardCopyOption.REPLACE_EXISTING);
        Path log = to.resolve("npm-ci.log");
        Process p = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error").directory(to.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError("npm ci failed in " + to + ":\n" + tail(log));
        }
    }

    /** The last few kilobytes of a log, for an assertion message. */
    static String tail(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() > 6000 ? text.substring(text.length() - 6000) : text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
