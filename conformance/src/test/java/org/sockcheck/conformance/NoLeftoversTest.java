package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.Addressing;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.ImplementationException;
import org.sockcheck.harness.impl.TraceSetup;
import org.sockcheck.harness.impl.linux.ProcNet;
import org.sockcheck.harness.run.ExpectedResults;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.SocketRow;
import org.sockcheck.spec.TcpState;

/** After a run on real sockets, nothing it opened is left in the kernel's tables, TIME-WAIT aside. */
class NoLeftoversTest {

    /** Wraps an implementation and remembers every host address it was given. */
    private static final class Recording implements Implementation {
        final Implementation inner;
        final Set<String> ips = new HashSet<>();

        Recording(Implementation inner) {
            this.inner = inner;
        }

        public String name() { return inner.name(); }

        public Addressing start(TraceSetup setup) throws ImplementationException {
            Addressing a = inner.start(setup);
            ips.addAll(a.hostIps().values());
            return a;
        }

        public Outcome call(String host, String process, ApiCall call) throws ImplementationException {
            return inner.call(host, process, call);
        }

        public List<SocketRow> observe(String host) throws ImplementationException {
            return inner.observe(host);
        }

        public void stop() { inner.stop(); }

        public void close() { inner.close(); }
    }

    @Test
    void linuxAndDriverLeaveNoSocketsBehind() throws Exception {
        List<Trace> traces = Corpus.traces();
        Runner runner = Corpus.runner(Duration.ofSeconds(5));
        Set<String> ips = new HashSet<>();
        for (Corpus.Impl impl : Corpus.implementations().subList(1, 3)) {
            try (Recording r = new Recording(impl.factory().get())) {
                for (Trace t : traces) {
                    runner.run(t, Corpus.SCENARIOS, r);
                }
                ips.addAll(r.ips);
            }
        }
        assertTrue(ips.size() >= traces.size() * 2, "addresses recorded: " + ips.size());
        List<String> left = new ArrayList<>();
        for (Proto proto : List.of(Proto.TCP, Proto.UDP)) {
            for (ProcNet.Entry e : ProcNet.read(proto)) {
                SocketRow row = e.row();
                boolean ours = ips.contains(row.local().ip()) || (row.remote() != null && ips.contains(row.remote().ip()));
                if (ours && row.state() != TcpState.TIME_WAIT) {
                    left.add(row.toString());
                }
            }
        }
        assertEquals(List.of(), left, "sockets left behind");
    }
}
