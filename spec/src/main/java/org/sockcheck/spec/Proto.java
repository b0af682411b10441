package org.sockcheck.spec;

/**
 * The protocol of a socket-table entry (S7, S8): its own port space each,
 * none for raw; UNIX for a Unix domain socket (S20), which has names, not
 * ports.
 */
public enum Proto {
    TCP, UDP, RAW, UNIX;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
