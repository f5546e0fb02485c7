package dev.executor.acceptance;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops the platform when the test session closes, inside the test run: Maven counts the fork as
 * finished before the JVM's shutdown hooks are done, so a hook alone can leave servers running.
 */
public class PlatformSession implements LauncherSessionListener {

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        try {
            Platform.stop();
        } catch (RuntimeException e) {
            // the tests' results stand; what could not be stopped is reported, not hidden
            System.err.println("Stopping the acceptance platform failed: " + e.getMessage());
        }
    }
}
