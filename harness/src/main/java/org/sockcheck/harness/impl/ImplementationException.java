package org.sockcheck.harness.impl;

/** The implementation hung, crashed or broke its protocol: the verdict is ERROR. */
public class ImplementationException extends Exception {
    public ImplementationException(String message) {
        super(message);
    }

    public ImplementationException(String message, Throwable cause) {
        super(message, cause);
    }
}
