package org.sockcheck.spec;

/** The "how" argument of shutdown(2): SHUT_RD, SHUT_WR, SHUT_RDWR. */
public enum ShutdownHow {
    RD, WR, RDWR;

    public boolean read() {
        return this != WR;
    }

    public boolean write() {
        return this != RD;
    }
}
