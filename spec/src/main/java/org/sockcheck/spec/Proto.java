package org.sockcheck.spec;

/** The protocol of a socket-table entry (S7, S8): its own port space each, none for raw. */
public enum Proto {
    TCP, UDP, RAW;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
