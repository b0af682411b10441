package org.sockcheck.junit5;

import java.util.List;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.ImplementationException;
import org.sockcheck.harness.impl.RefImplementation;
import org.sockcheck.harness.impl.TraceSetup;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.SocketRow;

/**
 * The reference stack under another name, each call's outcome passed
 * through a change the test plants (a bug, or a call it cannot make).
 */
final class Planted implements Implementation {
    /** What the change makes of a call and its outcome; it may throw Unsupported. */
    interface Change {
        Outcome apply(ApiCall call, Outcome outcome) throws ImplementationException;
    }

    private final RefImplementation ref = new RefImplementation();
    private final String name;
    private final Change change;
    boolean closed;

    Planted(String name, Change change) {
        this.name = name;
        this.change = change;
    }

    /** A stack whose every call of this kind fails with this errno. */
    static Planted failing(String name, Class<? extends ApiCall> kind, org.sockcheck.spec.Errno errno) {
        return new Planted(name, (call, outcome) -> kind.isInstance(call) ? new Outcome.Failed(errno) : outcome);
    }

    /** A stack that cannot make calls of this kind. */
    static Planted without(String name, Class<? extends ApiCall> kind) {
        return new Planted(name, (call, outcome) -> {
            if (kind.isInstance(call)) {
                throw new Unsupported(name + " has no " + kind.getSimpleName().toLowerCase(java.util.Locale.ROOT));
            }
            return outcome;
        });
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
        return change.apply(call, ref.call(host, process, call));
    }

    @Override
    public List<SocketRow> observe(String host) throws ImplementationException {
        return ref.observe(host);
    }

    @Override
    public void stop() {
        ref.stop();
    }

    @Override
    public void close() {
        closed = true;
        ref.close();
    }
}
