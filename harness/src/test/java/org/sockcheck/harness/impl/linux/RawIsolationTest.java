package org.sockcheck.harness.impl.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.TraceSetup;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.SockType;

/**
 * A raw socket of a trace's host takes only datagrams to its host, even
 * while another program (another worker of check -j, another sockcheck)
 * sends datagrams of its protocol to another loopback address as fast as it
 * can: one that reached the socket in the moment between its socket() and
 * its bind to the host's address is dropped. A run of cover-023 on two
 * workers once saw such a datagram (poll gave POLLIN on a new raw socket).
 */
class RawIsolationTest {
    private static final int SOCKETS = 300;

    @Test
    void aNewRawSocketHoldsNoDatagramToAnotherAddress() throws Exception {
        try (LinuxImplementation linux = new LinuxImplementation()) {
            assumeTrue(!linux.limits().contains(Implementation.Limit.NO_RAW), "raw sockets need CAP_NET_RAW");
            linux.start(new TraceSetup(Profile.LINUX, List.of("A"), List.of("A.p1"), List.of(80), Duration.ofSeconds(5)));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong sent = new AtomicLong();
            Thread sender = new Thread(() -> {
                try (Syscalls.Call sys = new Syscalls.Call()) {
                    int fd = (int) sys.socket(Syscalls.SOCK_RAW, 253).value();
                    try {
                        while (!stop.get()) {
                            if (!sys.sendto(fd, new byte[] {'x'}, new Endpoint("127.0.0.1", 0), 0).failed()) {
                                sent.incrementAndGet();
                            }
                        }
                    } finally {
                        sys.closeFd(fd);
                    }
                }
            }, "raw-isolation-sender");
            sender.start();
            int taken = 0;
            try {
                for (int k = 0; k < SOCKETS; k++) {
                    Outcome made = linux.call("A", "p1", new ApiCall.Socket(SockType.RAW, 253, true));
                    int fd = (int) ((Outcome.Value) made).value();
                    Outcome got = linux.call("A", "p1", new ApiCall.Recv(fd, 10, false, true, false, false, false));
                    if (!(got instanceof Outcome.Failed f && f.errno() == Errno.EAGAIN)) {
                        taken++;
                    }
                    assertEquals(new Outcome.Value(0), linux.call("A", "p1", new ApiCall.Close(fd)));
                }
            } finally {
                stop.set(true);
                sender.join();
            }
            assertTrue(sent.get() > SOCKETS, "the sender sent only " + sent.get() + " datagrams");
            assertEquals(0, taken, "raw sockets of A that held a datagram to 127.0.0.1, of " + SOCKETS
                    + " made while " + sent.get() + " were sent");
            linux.stop();
        }
    }

    /**
     * The filter a new raw socket gets lets through only datagrams to its
     * host's address: of one sent to another loopback address and one to
     * its own, only the second is queued (the socket is not bound, so
     * without the filter it would take both).
     */
    @Test
    void theFilterKeepsOnlyDatagramsToTheHostsAddress() {
        try (Syscalls.Call sys = new Syscalls.Call()) {
            Syscalls.Result made = sys.socket(Syscalls.SOCK_RAW, 253);
            assumeTrue(!made.failed(), "raw sockets need CAP_NET_RAW");
            int fd = (int) made.value();
            try {
                assertTrue(!sys.keepOnlyTo(fd, new byte[] {127, 77, 0, 2}).failed(), "SO_ATTACH_FILTER refused");
                assertTrue(!sys.sendto(fd, new byte[] {'x'}, new Endpoint("127.77.0.1", 0), 0).failed());
                assertTrue(!sys.sendto(fd, new byte[] {'y'}, new Endpoint("127.77.0.2", 0), 0).failed());
                java.lang.foreign.MemorySegment buf = sys.arena.allocate(64);
                List<Integer> payloads = new java.util.ArrayList<>();
                // Loopback delivers within the sendto; a few tries only in case of a slow softirq.
                for (int k = 0; k < 50 && payloads.size() < 2; k++) {
                    Syscalls.Result r = sys.recvfrom(fd, buf, Syscalls.MSG_DONTWAIT, java.lang.foreign.MemorySegment.NULL);
                    if (r.failed()) {
                        Thread.sleep(2);
                        continue;
                    }
                    // The payload follows the IPv4 header (20 bytes, no options).
                    payloads.add((int) buf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, r.value() - 1));
                }
                assertEquals(List.of((int) 'y'), payloads, "the datagrams the filtered socket took");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                sys.closeFd(fd);
            }
        }
    }
}
