package org.sockcheck.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sockcheck.ref.RefStack;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Outcome;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.SockType;

/**
 * Simple API calls on the reference stack, one thread: calls that change
 * nothing on the network, the kind a trace is mostly made of. Target: at
 * least 2 million calls per second on one core (docs/performance.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RefStackBenchmark {
    private static final Endpoint A53 = new Endpoint("192.0.2.1", 53);
    private static final ApiCall SOCKET = new ApiCall.Socket(SockType.DGRAM, 0);
    private static final ApiCall CLOSE = new ApiCall.Close(5);
    private static final ApiCall GET_NAME = new ApiCall.GetSockName(3);
    private static final ApiCall BIND_IN_USE = new ApiCall.Bind(4, A53);

    private RefStack stack;

    /** Host A with a UDP socket bound to A:53 (descriptor 3) and an unbound one (4). */
    @Setup(Level.Iteration)
    public void stack() {
        stack = new RefStack(Profile.LINUX);
        stack.addHost("A", "192.0.2.1");
        stack.call("A", "p", SOCKET);
        stack.call("A", "p", new ApiCall.Bind(3, A53));
        stack.call("A", "p", SOCKET);
    }

    /** getsockname(): a read of the socket table. */
    @Benchmark
    public Outcome getsockname() {
        return stack.call("A", "p", GET_NAME);
    }

    /** bind() to an address in use: the conflict search and an errno. */
    @Benchmark
    public Outcome bindInUse() {
        return stack.call("A", "p", BIND_IN_USE);
    }

    /** socket() then close(): a table entry and a descriptor made and dropped; two calls. */
    @Benchmark
    @OperationsPerInvocation(2)
    public Outcome socketThenClose() {
        stack.call("A", "p", SOCKET);
        return stack.call("A", "p", CLOSE);
    }
}
