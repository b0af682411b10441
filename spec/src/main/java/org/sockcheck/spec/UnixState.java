package org.sockcheck.spec;

import java.util.Optional;

/**
 * A Unix domain socket's state as /proc/net/unix shows it (S16, S20):
 * LISTEN for a listener (Flags 00010000), else its St column: 01
 * UNCONNECTED, 02 CONNECTING (the server's end of a connection nobody has
 * accepted yet), 03 CONNECTED, 04 DISCONNECTING. UnixRowState in
 * Sockets.tla says which a socket shows; the spec never shows
 * DISCONNECTING, which a row observed so is still written and judged.
 */
public enum UnixState {
    UNCONNECTED(1), CONNECTING(2), CONNECTED(3), DISCONNECTING(4), LISTEN(-1);

    /** The Flags bit of a listener, __SO_ACCEPTCON. */
    public static final int ACCEPTCON = 0x10000;

    private final int st;

    UnixState(int st) {
        this.st = st;
    }

    /** The St column /proc/net/unix prints (a listener's is 01, UNCONNECTED's). */
    public int st() {
        return this == LISTEN ? UNCONNECTED.st : st;
    }

    /** The state of a row of /proc/net/unix with these Flags and St columns. */
    public static Optional<UnixState> fromProc(int flags, int st) {
        if ((flags & ACCEPTCON) != 0) {
            return Optional.of(LISTEN);
        }
        for (UnixState u : values()) {
            if (u.st == st) {
                return Optional.of(u);
            }
        }
        return Optional.empty();
    }

    /** The state a trace writes, by its name. */
    public static Optional<UnixState> fromName(String word) {
        for (UnixState u : values()) {
            if (u.name().equals(word)) {
                return Optional.of(u);
            }
        }
        return Optional.empty();
    }
}
