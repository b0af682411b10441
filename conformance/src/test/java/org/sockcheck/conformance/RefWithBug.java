package org.sockcheck.conformance;

import java.util.List;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.ImplementationException;
import org.sockcheck.harness.impl.RefImplementation;
import org.sockcheck.harness.impl.TraceSetup;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.SocketRow;

/** The reference stack with one bug planted: every outcome of a call passes through the bug. */
final class RefWithBug implements Implementation {
    /** What the bug makes of an outcome; it may ask the stack more (through ref). */
    interface Bug {
        Outcome apply(RefImplementation ref, String host, String process, ApiCall call, Outcome outcome)
                throws ImplementationException;
    }

    private final RefImplementation ref = new RefImplementation();
    private final String name;
    private final Bug bug;
    /** What the bug forgets when a run starts (a bug that remembers descriptors must not carry them to the next run). */
    private final Runnable onStart;

    RefWithBug(String name, Bug bug) {
        this(name, bug, () -> { });
    }

    RefWithBug(String name, Bug bug, Runnable onStart) {
        this.name = name;
        this.bug = bug;
        this.onStart = onStart;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Addressing start(TraceSetup setup) throws ImplementationException {
        onStart.run();
        return ref.start(setup);
    }

    @Override
    public Outcome call(String host, String process, ApiCall call) throws ImplementationException {
        return bug.apply(ref, host, process, call, ref.call(host, process, call));
    }

    @Override
    public boolean concurrent() {
        return true;
    }

    @Override
    public Outcome call(String host, String process, String thread, ApiCall call, java.time.Duration wait)
            throws ImplementationException {
        return bug.apply(ref, host, process, call, ref.call(host, process, thread, call, wait));
    }

    /** What a call that waited returns passes through the bug too (as a call of its thread's process). */
    @Override
    public Outcome awaitReturn(String host, String process, String thread, java.time.Duration wait)
            throws ImplementationException {
        Outcome o = ref.awaitReturn(host, process, thread, wait);
        return o instanceof Outcome.Blocked ? o : bug.apply(ref, host, process, null, o);
    }

    @Override
    public List<SocketRow> observe(String host) throws ImplementationException {
        return ref.observe(host);
    }

    @Override
    public void stop() {
        ref.stop();
    }
}
