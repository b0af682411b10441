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

    RefWithBug(String name, Bug bug) {
        this.name = name;
        this.bug = bug;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Addressing start(TraceSetup setup) throws ImplementationException {
        return ref.start(setup);
    }

    @Override
    public Outcome call(String host, String process, ApiCall call) throws ImplementationException {
        return bug.apply(ref, host, process, call, ref.call(host, process, call));
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
