package org.sockcheck.harness.impl;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Process starts and socket closes of this JVM never overlap.
 *
 * <p>A process is started by cloning the JVM's process, and the clone holds
 * a copy of every descriptor of the JVM until it execs (close-on-exec ends
 * the copies there). A socket of a run that is closed in that window is not
 * released: its last reference is the clone's, the connection stays
 * ESTABLISHED, and no FIN leaves until the clone execs. On a loaded machine
 * that took long enough for an observation to see a closed socket's row
 * unchanged (scenarios/listen-accept/several-clients-share-server-port on
 * linux, while another worker's IPv6 run started iproute2). So a start
 * holds this lock's write side until {@link ProcessBuilder#start} returns,
 * which is after the new program was exec'd, and a close of a run's socket
 * holds its read side: closes go on side by side, and wait only for a start.
 */
public final class Spawns {
    private static final ReentrantReadWriteLock LOCK = new ReentrantReadWriteLock();

    private Spawns() {
    }

    /** Starts the process, while no socket of a run is being closed. */
    public static Process start(ProcessBuilder builder) throws IOException {
        LOCK.writeLock().lock();
        try {
            return builder.start();
        } finally {
            LOCK.writeLock().unlock();
        }
    }

    /** A close of a socket, made while no process is being started. */
    @FunctionalInterface
    public interface Close<T, E extends Throwable> {
        T close() throws E;
    }

    /** Makes the close while no process is being started: the socket is released when its last descriptor goes. */
    public static <T, E extends Throwable> T closing(Close<T, E> close) throws E {
        LOCK.readLock().lock();
        try {
            return close.close();
        } finally {
            LOCK.readLock().unlock();
        }
    }

    /** Whether a start is under way now (for tests). */
    static boolean starting() {
        return LOCK.isWriteLocked();
    }
}
