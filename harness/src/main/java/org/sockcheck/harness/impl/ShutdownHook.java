package org.sockcheck.harness.impl;

/**
 * Cleanup that runs when the JVM ends early (Ctrl-C, kill), registered for
 * as long as an implementation lives. The cleanup must not wait for a call
 * in progress: that call holds the implementation's lock.
 */
public final class ShutdownHook {
    private final Thread thread;

    public ShutdownHook(String name, Runnable cleanup) {
        thread = new Thread(cleanup, name);
        Runtime.getRuntime().addShutdownHook(thread);
    }

    /** The implementation closed normally: the hook is no longer needed. */
    public void remove() {
        try {
            Runtime.getRuntime().removeShutdownHook(thread);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down and runs the hook itself
        }
    }
}
