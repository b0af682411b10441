package org.sockcheck.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.sockcheck.spec.tlc.SpecBridge;

/**
 * TLC's interpreter holds one spec per JVM, and the test classes of this
 * module share a JVM: the spec is loaded here, with the constants of
 * generated traces, before any test runs, so no test depends on which class
 * ran first. Traces that need other names (the scenarios) are judged by the
 * results written in them when run through {@code check} in this JVM.
 */
public final class OneSpecPerRun implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        try {
            SpecBridge.load(SpecBridge.Constants.GENERATED);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
