package org.sockcheck.harness.trace;

import java.util.Arrays;

/** An argument or result value as written in a trace. */
public sealed interface Arg {

    /** A number: a descriptor, a backlog, a size, a result. */
    record Int(long value) implements Arg {
    }

    /**
     * A constant word: INET, STREAM, SO_REUSEADDR, WR; or a getsockopt
     * result as written, [1] or [ECONNREFUSED], or [$b] for a size the stack
     * chose ({@link #optionVariable(String)} writes it, {@link #optionVariable()} reads it).
     */
    record Name(String name) implements Arg {
        /** The getsockopt result that is the variable var: [$var]. */
        public static Name optionVariable(String var) {
            return new Name("[$" + var + "]");
        }

        /** The variable a getsockopt result names, [$b] gives b; null for any other word. */
        public String optionVariable() {
            return name.startsWith("[$") && name.endsWith("]") ? name.substring(2, name.length() - 1) : null;
        }
    }

    /** A symbolic value, bound at its first appearance in a result: {@code $e1}. */
    record Var(String name) implements Arg {
    }

    /**
     * Bytes, written as a quoted string; length is what the call returned
     * when it is not the number of bytes (recv with MSG_TRUNC of a longer
     * datagram: its whole length, written before the bytes, 512 "abc"),
     * else -1.
     */
    record Data(byte[] bytes, long length) implements Arg {
        public Data {
            if (length == bytes.length) {
                length = -1;
            }
        }

        public Data(byte[] bytes) {
            this(bytes, -1);
        }

        /** What the call returned: the length, or the number of bytes. */
        public long returned() {
            return length < 0 ? bytes.length : length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Data d && Arrays.equals(bytes, d.bytes) && length == d.length;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes) + Long.hashCode(length);
        }

        @Override
        public String toString() {
            return (length < 0 ? "" : length + " ") + TraceText.quote(bytes);
        }
    }

    /**
     * A socket address with a symbolic host and port: {@code A:80}, {@code B:$e1},
     * {@code *:*}. A null host is the wildcard address; the port is a label
     * (a number the runner maps to a real free port), a variable, or the
     * wildcard. Or a Unix domain socket's name (S20), written in quotes:
     * path is a path relative to the run's own folder ("srv"), a name of
     * the abstract namespace ("@srv"), or "" for none; null for an IPv4
     * address.
     */
    record Addr(String host, Port port, String path) implements Arg {
        /** connect's address of the family AF_UNSPEC, written AF_UNSPEC: it dissolves an association. */
        public static final Addr UNSPEC = new Addr(org.sockcheck.spec.Endpoint.UNSPEC_IP, new Port.Any());

        /** An IPv4 address: a host (null for the wildcard) and a port. */
        public Addr(String host, Port port) {
            this(host, port, null);
        }

        /** A Unix domain socket's name as a trace writes it. */
        public static Addr unix(String path) {
            return new Addr(null, new Port.Any(), java.util.Objects.requireNonNull(path));
        }

        public boolean unspec() {
            return org.sockcheck.spec.Endpoint.UNSPEC_IP.equals(host);
        }

        /** Whether this is a Unix domain socket's name. */
        public boolean unix() {
            return path != null;
        }
    }

    /** socketpair's result: the two descriptors, [3, 4]; each a number or a variable. */
    record Pair(Arg first, Arg second) implements Arg {
    }

    /**
     * poll's descriptors, each with events: the request, [3 POLLIN, 4
     * POLLIN|POLLOUT], or the result, [3 POLLIN, 4 0]. A descriptor is a
     * number or a variable; events are in {@link org.sockcheck.spec.Calls#POLL_REPORTED}'s
     * order, none for 0.
     */
    record Polls(java.util.List<PollFd> entries) implements Arg {
    }

    /**
     * Descriptors in brackets, each a number or a variable: sendmsg's
     * descriptors passed with SCM_RIGHTS, [5, 6], or none, [].
     */
    record Fds(java.util.List<Arg> fds) implements Arg {
        public Fds {
            fds = java.util.List.copyOf(fds);
        }
    }

    /**
     * recvmsg's result: the data, the descriptors it received (SCM_RIGHTS),
     * and the credentials shown (SO_PASSCRED; null when none were): a
     * process's name, none or zero, "hi" rights [5] creds p1.
     */
    record Message(Data data, Fds rights, String creds) implements Arg {
        public Message(Data data, Fds rights) {
            this(data, rights, null);
        }
    }

    /** SO_LINGER's value, {l_onoff, l_linger}: {1, 0} aborts on close. */
    record Linger(long onoff, long seconds) implements Arg {
    }

    /** One descriptor of a poll with its events. */
    record PollFd(Arg fd, java.util.List<String> events) {
    }

    sealed interface Port {
        record Label(int label) implements Port {
        }

        record Var(String name) implements Port {
        }

        record Any() implements Port {
        }
    }
}
