package org.sockcheck.harness.trace;

import java.util.List;
import org.sockcheck.spec.Proto;
import org.sockcheck.spec.TcpState;

/** An event of a trace: a call made by a process, or an observation of a host's socket table. */
public sealed interface Event extends Trace.Line {
    /** 1-based line of the event in its text form, or 0 when it has none. */
    int line();

    String host();

    /** The thread a process starts with, written without a name: {@code A.p1:} is {@code A.p1.main:}. */
    String MAIN = "main";

    /**
     * {@code HOST.proc[.thread]: op(args) = result}: a call made on a thread
     * of a process (trace format 2 names threads; format 1 has the main one).
     */
    record Call(int line, String host, String process, String thread, String op, List<Arg> args, Expect expect)
            implements Event {
        /** A call made on the process's main thread. */
        public Call(int line, String host, String process, String op, List<Arg> args, Expect expect) {
            this(line, host, process, MAIN, op, args, expect);
        }

        /** The same call with another result. */
        public Call withExpect(Expect e) {
            return new Call(line, host, process, thread, op, args, e);
        }
    }

    /**
     * {@code HOST.proc[.thread]: op returns result} (trace format 2): the call
     * this thread blocked in returns here, after the events since its
     * {@code blocks}; call is that call as written. The result is a value or
     * an errno, never blocks.
     */
    record Return(int line, String host, String process, String thread, Call call, Expect expect) implements Event {
        public String op() {
            return call.op();
        }
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
     * implementation reported), which no behaviour of the spec shows. A
     * Unix domain socket's row (S20, as /proc/net/unix lists it) has its
     * type, its name as local (an empty path when unnamed), no remote (*:*)
     * and a state of its own; type and unixState are null on any other row.
     */
    record Row(Proto proto, Arg.Addr local, Arg.Addr remote, TcpState state, org.sockcheck.spec.SockType type,
               org.sockcheck.spec.UnixState unixState) {
        public Row(Proto proto, Arg.Addr local, Arg.Addr remote, TcpState state) {
            this(proto, local, remote, state, null, null);
        }

        /** A Unix domain socket's row: unix STREAM "srv" LISTEN. */
        public static Row unix(org.sockcheck.spec.SockType type, String path, org.sockcheck.spec.UnixState state) {
            return new Row(Proto.UNIX, Arg.Addr.unix(path), new Arg.Addr(null, new Arg.Port.Any()), null, type, state);
        }
    }
}
