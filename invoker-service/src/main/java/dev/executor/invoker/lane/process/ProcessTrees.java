package dev.executor.invoker.lane.process;

import java.util.List;

/** Ends a started process together with everything it started. */
public final class ProcessTrees {

    private ProcessTrees() {
    }

    /**
     * Kills {@code process} and its descendants at once (SIGKILL). The descendants are listed
     * before the parent dies: afterwards they would be re-parented and no longer found. The JDK
     * reaps {@code process} itself, so it leaves no zombie.
     */
    public static void kill(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    /** Asks {@code process} and its descendants to stop (SIGTERM). */
    public static void terminate(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
    }
}
