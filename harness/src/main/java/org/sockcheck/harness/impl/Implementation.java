package org.sockcheck.harness.impl;

import java.util.List;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.SocketRow;

/**
 * A socket implementation under test. The runner starts it once per trace,
 * makes the trace's calls on behalf of its processes, observes the hosts'
 * socket tables, and stops it; stop must release everything start and the
 * calls opened, whatever happened in between.
 */
public interface Implementation extends AutoCloseable {

    /** The name used on the command line and in reports: ref, linux, driver:... */
    String name();

    /** Makes the hosts and processes of one trace and says where they live. */
    Addressing start(TraceSetup setup) throws ImplementationException;

    /** One call made by a process of a host. A call the implementation cannot express throws Unsupported. */
    Outcome call(String host, String process, ApiCall call) throws ImplementationException;

    /**
     * Whether calls can be made on several threads of a process at once,
     * each waiting in its call while the others go on (trace format 2). An
     * implementation that says so implements the two methods below.
     */
    default boolean concurrent() {
        return false;
    }

    /**
     * One call made on a thread of a process, which may wait in it: the
     * outcome when the call returns within wait, else Blocked, and the call
     * goes on waiting until {@link #awaitReturn} gives its outcome.
     */
    default Outcome call(String host, String process, String thread, ApiCall call, java.time.Duration wait)
            throws ImplementationException {
        throw new Unsupported(name() + " makes one call at a time");
    }

    /** The outcome of the call a thread waits in, when it returns within wait; else Blocked. */
    default Outcome awaitReturn(String host, String process, String thread, java.time.Duration wait)
            throws ImplementationException {
        throw new Unsupported(name() + " makes one call at a time");
    }

    /** The socket table of a host (S1, S16). */
    List<SocketRow> observe(String host) throws ImplementationException;

    /** Ends the trace: closes every descriptor, process and resource the trace made. */
    void stop();

    /** Ends the implementation itself, after its last trace. */
    @Override
    default void close() {
    }

    /**
     * What the implementation cannot do, so that generated walks leave it out
     * (a run that needs it would be SKIP). Each kind is one rule the
     * generator keeps ({@link org.sockcheck.harness.gen.Generator}); the
     * implementation's own check of a hand-written trace stays as it is.
     */
    enum Limit {
        /** One kernel plays every host and owns all their addresses: a bind to another host's address cannot fail. */
        ONE_KERNEL,
        /** No second descriptor for a socket (dup). */
        NO_DUP,
        /** No child process that shares the parent's descriptors (fork). */
        NO_FORK,
        /** No raw IP sockets (an API without them, or no CAP_NET_RAW). */
        NO_RAW,
        /** No non-blocking sockets (SOCK_NONBLOCK, fcntl O_NONBLOCK). */
        NO_NONBLOCK,
        /** No getsockopt, or not of every option walks read (SO_ERROR, SO_TYPE, ...). */
        NO_GETSOCKOPT,
        /** No MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL or MSG_TRUNC on recv. */
        NO_RECV_FLAGS,
        /** No MSG_TRUNC on recv (a driver that does not list recv-trunc). */
        NO_RECV_TRUNC,
        /** No poll. */
        NO_POLL,
        /** No setsockopt of an option other than SO_REUSEADDR, or not on every socket and state walks set it. */
        NO_OPTIONS,
        /** No setsockopt at all, SO_REUSEADDR's neither. */
        NO_SETSOCKOPT,
        /** One call at a time: no call on a thread of its own that waits while others run. */
        NO_THREADS,
        /** No exit of a process while one of its threads waits in a call (the processes share one runtime). */
        NO_EXIT_WHILE_WAITING,
        /** No descriptors passed with SCM_RIGHTS (sendmsg, recvmsg). */
        NO_RIGHTS,
        /** IPv6 on one host only: the hosts share one process, which can be in one network namespace (a driver of one kernel). */
        ONE_HOST_IPV6
    }

    /**
     * The profile of the spec this implementation's runs are judged by,
     * whatever the trace's own: POSIX for a stack that promises POSIX and
     * not Linux's choices; null (the default): the trace's profile.
     */
    default org.sockcheck.spec.Profile judgedProfile() {
        return null;
    }

    /** What generated walks must leave out for this implementation; none by default. */
    default java.util.Set<Limit> limits() {
        return java.util.Set.of();
    }

    /** The implementation cannot express what the trace needs: the verdict is SKIP. */
    final class Unsupported extends ImplementationException {
        public Unsupported(String message) {
            super(message);
        }
    }
}
