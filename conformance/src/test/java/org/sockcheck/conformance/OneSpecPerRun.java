package org.sockcheck.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.sockcheck.spec.tlc.SpecBridge;

/**
 * The test classes of this module share a JVM: the model of generated
 * traces is loaded here, before any test runs, so the first test that uses
 * it does not pay for TLC's parse (models for other traces load beside it).
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
