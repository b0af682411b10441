package org.sockcheck.spec;

import java.util.Arrays;

/** What a call returned: a value of the call's kind, an errno, or nothing yet. */
public sealed interface Outcome {

    /** A plain number: a descriptor from socket(), 0 from bind(), a byte count from send(). */
    record Value(long value) implements Outcome {
    }

    /**
     * Bytes from recv() or recvfrom(); from is the sender's address, or null;
     * length is what the call returned when it is not the number of bytes
     * (MSG_TRUNC on a datagram: its whole length), else -1.
     */
    record Data(byte[] data, Endpoint from, long length) implements Outcome {
        public Data {
            if (length == data.length) {
                length = -1;
            }
        }

        public Data(byte[] data, Endpoint from) {
            this(data, from, -1);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Data d && Arrays.equals(data, d.data) && java.util.Objects.equals(from, d.from) && length == d.length;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data) * 31 + java.util.Objects.hashCode(from) + Long.hashCode(length);
        }

        @Override
        public String toString() {
            return "Data[" + (length < 0 ? "" : length + " ") + new String(data, java.nio.charset.StandardCharsets.ISO_8859_1)
                    + " from " + from + "]";
        }
    }

    /**
     * recvmsg(): the bytes, the descriptors the message passed with
     * SCM_RIGHTS as numbers of the receiving process, in the order sent, and
     * the credentials shown (SO_PASSCRED), null when none were: the sending
     * process's name, {@link #NO_CREDS} or {@link #ZERO_CREDS}, or, when an
     * implementation saw credentials of no process of the run, them as
     * "pid=N uid=U gid=G".
     */
    record Message(byte[] data, java.util.List<Integer> rights, String creds) implements Outcome {
        /** The message carried no credentials: pid 0, the overflow uid and gid (Linux's 65534). */
        public static final String NO_CREDS = "none";
        /** A stream's end of file read with SO_PASSCRED: pid, uid and gid 0. */
        public static final String ZERO_CREDS = "zero";

        public Message {
            rights = java.util.List.copyOf(rights);
        }

        public Message(byte[] data, java.util.List<Integer> rights) {
            this(data, rights, null);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Message m && Arrays.equals(data, m.data) && rights.equals(m.rights)
                    && java.util.Objects.equals(creds, m.creds);
        }

        @Override
        public int hashCode() {
            return (Arrays.hashCode(data) * 31 + rights.hashCode()) * 31 + java.util.Objects.hashCode(creds);
        }

        @Override
        public String toString() {
            return "Message[" + new String(data, java.nio.charset.StandardCharsets.ISO_8859_1) + " rights " + rights
                    + (creds == null ? "" : " creds " + creds) + "]";
        }
    }

    /** accept(): the new descriptor and the peer's address (S6, S10). */
    record Accepted(int fd, Endpoint peer) implements Outcome {
    }

    /** socketpair(): the two descriptors, one for each end. */
    record Pair(int fd1, int fd2) implements Outcome {
    }

    /** getsockname() or getpeername(). */
    record Address(Endpoint addr) implements Outcome {
    }

    /**
     * getsockopt(): the option's value as a trace writes it in brackets: a
     * number, or for SO_ERROR 0 or an errno name ([ECONNREFUSED]).
     */
    record Option(String value) implements Outcome {
    }

    /** poll(): for each entry of the request, in order, the events reported (POLLIN, POLLHUP, ...; empty for none). */
    record Polled(java.util.List<java.util.Set<String>> revents) implements Outcome {
    }

    /** The call failed with this errno. */
    record Failed(Errno errno) implements Outcome {
    }

    /** The call had not returned when the implementation stopped waiting for it. */
    record Blocked(String why) implements Outcome {
    }
}
