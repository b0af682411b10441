package org.sockcheck.harness.trace;

import java.util.List;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.TcpState;

/** An event of a trace: a call made by a process, or an observation of a host's socket table. */
public sealed interface Event extends Trace.Line {
    /** 1-based line of the event in its text form, or 0 when it has none. */
    int line();

    String host();

    /** {@code HOST.proc: op(args) = result}. */
    record Call(int line, String host, String process, String op, List<Arg> args, Expect expect) implements Event {
    }

    /** {@code observe HOST: row; row; ...} or {@code observe HOST: none}. */
    record Observe(int line, String host, List<Row> rows) implements Event {
    }

    /** What a call is expected to give. */
    sealed interface Expect {
        /** A value, with the address of accept's peer or recvfrom's sender when there is one. */
        record Returns(Arg value, Arg.Addr address) implements Expect {
        }

        record Fails(String errno) implements Expect {
        }

        /**
         * The call does not return: written {@code A.p1: recv(3, 10) blocks}.
         * In trace format 1 it is the trace's last event (the process waits
         * in it when the trace ends); an observed run ends so where the
         * implementation did not return within the call timeout.
         */
        record Blocks() implements Expect {
        }
    }

    /**
     * One expected socket-table entry; state is null for UDP and raw rows
     * (S12). An observed run may show a state on such a row (what an
     * implementation reported), which no behaviour of the spec shows.
     */
    record Row(Proto proto, Arg.Addr local, Arg.Addr remote, TcpState state) {
    }
}
