package dev.executor.launcher.infra;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Stops a child process and everything it started, by PID. */
final class ProcessTrees {

    private ProcessTrees() {
    }

    /**
     * Sends SIGTERM to {@code root} and all its descendants, waits up to {@code grace} for them to
     * exit, then SIGKILLs whatever is left. Descendants are captured first: a wrapper script that
     * dies first would otherwise orphan its children.
     */
    static void destroy(ProcessHandle root, Duration grace) {
        List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
        tree.add(0, root);
        tree.forEach(ProcessHandle::destroy);
        long end = System.nanoTime() + grace.toNanos();
        for (ProcessHandle handle : tree) {
            long left = end - System.nanoTime();
            try {
                if (left > 0) {
                    handle.onExit().get(left, TimeUnit.NANOSECONDS);
                }
            } catch (Exception e) {
                // falls through to the forcible kill below
            }
        }
        for (ProcessHandle handle : tree) {
            if (handle.isAlive()) {
                handle.destroyForcibly();
            }
        }
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // best effort: nothing more can be done for a process SIGKILL did not stop
            }
        }
    }
}
