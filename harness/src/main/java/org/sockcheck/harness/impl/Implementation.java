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

    /** The socket table of a host (S1, S16). */
    List<SocketRow> observe(String host) throws ImplementationException;

    /** Ends the trace: closes every descriptor, process and resource the trace made. */
    void stop();

    /** Ends the implementation itself, after its last trace. */
    @Override
    default void close() {
    }

    /** The implementation cannot express what the trace needs: the verdict is SKIP. */
    final class Unsupported extends ImplementationException {
        public Unsupported(String message) {
            super(message);
        }
    }
}
