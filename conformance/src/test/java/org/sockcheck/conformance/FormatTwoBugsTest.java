package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sockcheck.harness.gen.Generator;
import org.sockcheck.harness.gen.Shrinker;
import org.sockcheck.harness.impl.Implementation;
import org.sockcheck.harness.impl.RefImplementation;
import org.sockcheck.harness.run.ExpectedResults;
import org.sockcheck.harness.run.Runner;
import org.sockcheck.harness.run.TraceResult;
import org.sockcheck.harness.run.Verdict;
import org.sockcheck.harness.validate.SpecJudge;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.tlc.SpecBridge;
import org.sockcheck.spec.Errno;
import org.sockcheck.spec.Outcome;

/**
 * Bugs of what trace format 2 adds, each planted in a copy of the reference
 * stack, are found by traces generated from the spec and shrunk: getsockopt
 * that gives an option's old value, a non-blocking connect that waits, MSG_PEEK
 * that takes the data it shows, and poll that never finds a listener
 * readable.
 */
class FormatTwoBugsTest {
    /** How many seeds of 800 walks each are tried at most for a bug. */
    private static final int SEEDS = 6;

    /**
     * A runner for one bug's walks: its judge gives a search for one event
     * three minutes, where the corpus' judge gives ten seconds. Which walk
     * finds a bug must not depend on the machine's speed: with ten seconds,
     * the listener bug's walk 322 (seed 1, two hosts) took 15 s to judge in
     * one JVM and was FAIL, and in the next was SKIP at the time limit (690
     * states searched in 10.9 s for the event before the poll, in the
     * corpus' model); the search went on to walk 696, and in CI past its
     * time. Each bug has a judge of its own: its models grow to the walks
     * of its generator only (one judge for all five grew a model to the
     * walks of every call).
     */
    private static Runner runner() throws java.io.IOException {
        return new Runner(new ExpectedResults(), Duration.ofSeconds(5), SpecJudge.forTraces(List.of(), Duration.ofMinutes(3)));
    }

    /**
     * The generators' model with one host, A, and its two processes. The
     * listener bug's walks run there: a walk of two hosts that shows the bug
     * keeps segments of both in flight, and the spec's search for another
     * explanation of it is slow (walk 322 of seed 1 took 15 s; shrinking it
     * was stopped unfinished after about ten minutes, every candidate that
     * still failed searched to its end). On one host the bug was found in walk 797 of
     * seed 1, in 100 s, and shrunk in 69 runs in under a second.
     */
    private static SpecBridge.Constants oneHost() {
        SpecBridge.Constants g = SpecBridge.Constants.GENERATED;
        return new SpecBridge.Constants(List.of("A"), g.procs(), g.ports(), g.ephemeralPorts(), g.fds(), g.sids(), g.data(),
                g.recvSizes(), g.profile(), g.unborn(), g.protocols(), g.destinations());
    }

    private static TraceResult run(Runner runner, Generator.Generated g, Implementation impl) {
        return runner.run(g.trace(), Path.of("."), impl);
    }

    /** Stops a search at the walk that found the bug. */
    private static final class Found extends RuntimeException {
        Found() {
            super(null, null, false, false);
        }
    }

    /**
     * getsockopt answers a reading that should give 0 with the last other
     * value it gave for the descriptor (a cache of the socket's options never
     * brought up to date): SO_ERROR not cleared by its reading, an option
     * still on after setsockopt turned it off, or another option's value.
     */
    static Implementation staleOption() {
        Map<String, Outcome> last = new HashMap<>();
        return new RefWithBug("ref-getsockopt-stale", (ref, host, process, call, o) -> {
            String fd = host + "." + process + ".";
            if (call instanceof ApiCall.GetSockOpt g && o instanceof Outcome.Option v) {
                String key = fd + g.fd() + ".";
                if (!v.value().equals("0")) {
                    last.put(key, o);
                } else if (last.containsKey(key)) {
                    return last.get(key);
                }
            }
            // A descriptor closed or given anew has nothing to remember.
            Object gone = call instanceof ApiCall.Close c ? (Object) c.fd()
                    : call instanceof ApiCall.Socket && o instanceof Outcome.Value v ? (Object) v.value() : null;
            if (gone != null) {
                last.keySet().removeIf(k -> k.startsWith(fd + gone + "."));
            }
            return o;
        }, last::clear);
    }

    /**
     * getsockopt(SO_ERROR) does not clear the error it reads: the next
     * reading, where the spec says 0, gives the same error again.
     */
    static Implementation soErrorNotCleared() {
        Map<String, Outcome> pending = new HashMap<>();
        return new RefWithBug("ref-so-error-not-cleared", (ref, host, process, call, o) -> {
            String fd = host + "." + process + ".";
            if (call instanceof ApiCall.GetSockOpt g && g.option().equals("SO_ERROR") && o instanceof Outcome.Option v) {
                String key = fd + g.fd();
                if (!v.value().equals("0")) {
                    pending.put(key, o);
                } else if (pending.containsKey(key)) {
                    return pending.get(key);
                }
            }
            // A descriptor closed or given anew (socket, dup, accept) has no error to remember.
            Object gone = call instanceof ApiCall.Close c ? (Object) c.fd()
                    : (call instanceof ApiCall.Socket || call instanceof ApiCall.Dup) && o instanceof Outcome.Value v ? (Object) v.value()
                    : o instanceof Outcome.Accepted a ? (Object) a.fd() : null;
            if (gone != null) {
                pending.remove(fd + gone);
            }
            return o;
        }, pending::clear);
    }

    /** A non-blocking connect waits for the handshake, where the spec says EINPROGRESS. */
    static Implementation nonBlockingConnectWaits() {
        return new RefWithBug("ref-non-blocking-connect-waits", (ref, host, process, call, o) ->
                call instanceof ApiCall.Connect && o instanceof Outcome.Failed f && f.errno() == Errno.EINPROGRESS
                        ? new Outcome.Blocked("waits for the handshake") : o);
    }

    /** recv with MSG_PEEK takes what it shows, where the spec leaves it for the next recv. */
    static Implementation peekConsumes() {
        return new RefWithBug("ref-peek-consumes", (ref, host, process, call, o) -> {
            if (o instanceof Outcome.Data d && d.data().length > 0) {
                if (call instanceof ApiCall.Recv r && r.peek()) {
                    ref.call(host, process, new ApiCall.Recv(r.fd(), d.data().length));
                } else if (call instanceof ApiCall.RecvFrom r && r.peek()) {
                    ref.call(host, process, new ApiCall.RecvFrom(r.fd(), d.data().length));
                }
            }
            return o;
        });
    }

    /** poll leaves POLLIN out for a listener, where the spec reports it while a connection waits to be accepted. */
    static Implementation listenerNeverReadable() {
        java.util.Set<String> listeners = new java.util.HashSet<>();
        return new RefWithBug("ref-listener-never-readable", (ref, host, process, call, o) -> {
            String who = host + "." + process + ".";
            if (call instanceof ApiCall.Listen l && o instanceof Outcome.Value) {
                listeners.add(who + l.fd());
            }
            if (call instanceof ApiCall.Close c) {
                listeners.remove(who + c.fd());
            }
            // A descriptor given anew is no listener (yet): the runs of a search reuse the numbers.
            if ((call instanceof ApiCall.Socket || call instanceof ApiCall.Dup) && o instanceof Outcome.Value fd) {
                listeners.remove(who + fd.value());
            }
            if (o instanceof Outcome.Accepted a) {
                listeners.remove(who + a.fd());
            }
            if (call instanceof ApiCall.Poll p && o instanceof Outcome.Polled got) {
                java.util.List<java.util.Set<String>> out = new java.util.ArrayList<>();
                for (int i = 0; i < got.revents().size(); i++) {
                    java.util.Set<String> ev = new java.util.TreeSet<>(got.revents().get(i));
                    if (listeners.contains(who + p.fds().get(i).fd())) {
                        ev.remove("POLLIN");
                    }
                    out.add(ev);
                }
                return new Outcome.Polled(out);
            }
            return o;
        }, listeners::clear);
    }

    private static java.util.Set<Implementation.Limit> union(java.util.Set<Implementation.Limit> a, Implementation.Limit... more) {
        java.util.Set<Implementation.Limit> out = new java.util.HashSet<>(a);
        out.addAll(java.util.List.of(more));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"getsockopt-stale", "so-error-not-cleared", "non-blocking-connect-waits", "peek-consumes",
        "listener-never-readable"})
    void generatedTracesFindTheBugAndShrinkIt(String bug) throws Exception {
        Implementation buggy = switch (bug) {
            case "getsockopt-stale" -> staleOption();
            case "so-error-not-cleared" -> soErrorNotCleared();
            case "non-blocking-connect-waits" -> nonBlockingConnectWaits();
            case "listener-never-readable" -> listenerNeverReadable();
            default -> peekConsumes();
        };
        // A bug that needs a few calls in a row is found by walks of the calls it needs: poll's needs a
        // listener, a connection and a poll of the listener before accept; with every call of the
        // spec, 800 walks did not find it.
        java.util.Set<Implementation.Limit> apart = java.util.Set.of(Implementation.Limit.NO_DUP,
                Implementation.Limit.NO_FORK, Implementation.Limit.NO_RAW, Implementation.Limit.NO_RECV_FLAGS,
                Implementation.Limit.NO_OPTIONS);
        Generator gen = switch (bug) {
            case "listener-never-readable" -> new Generator(SpecBridge.load(oneHost()), union(apart, Implementation.Limit.NO_NONBLOCK,
                    Implementation.Limit.NO_GETSOCKOPT));
            // A pending error needs a connection refused or reset first: walks that pick a new outcome by
            // its action (as generate --cover does) get there; picked among all new outcomes, 800 walks did not.
            // Of the calls it needs (no poll, no non-blocking socket): with every call, seeds 1 to 6 missed it
            // once Unix.tla had moved the draws.
            case "so-error-not-cleared" -> SpecTraces.generator(union(apart, Implementation.Limit.NO_POLL,
                    Implementation.Limit.NO_NONBLOCK)).freshByAction();
            default -> SpecTraces.generator();
        };
        Runner runner = runner();
        long searching = System.nanoTime();
        Generator.Generated[] failing = new Generator.Generated[1];
        TraceResult[] firstRun = new TraceResult[1];
        int[] walks = new int[1];
        long first0 = Long.getLong("sockcheck.bugseed", 1);
        // Walks are judged as they are made, and the search stops at the first that fails. A seed's walks
        // may miss a bug that needs a few calls in a row (with seed 1, 800 walks of every call missed a
        // SO_ERROR that is not cleared once this session's spec changes moved the draws; seeds 1 to 3
        // missed it once Unix.tla moved the order TLC gives strings in, which walks follow no more:
        // Generator.ordered; measured since: every bug found by seed 1): up to SEEDS seeds, 800 walks
        // each, and the message says which found it.
        long seed = first0;
        for (; seed < first0 + SEEDS && failing[0] == null; seed++) {
            try {
                gen.explore("planted-" + bug, seed, 800, 12, g -> {
                    walks[0]++;
                    TraceResult r = run(runner, g, buggy);
                    if (r.verdict() == Verdict.FAIL) {
                        failing[0] = g;
                        firstRun[0] = r;
                        throw new Found();
                    }
                });
            } catch (Found stop) {
                // the first failing walk
                break;
            }
        }
        assertTrue(failing[0] != null, "no generated trace found " + bug + " in " + walks[0] + " walks of seeds " + first0
                + " to " + (first0 + SEEDS - 1));
        TraceResult first = firstRun[0];
        Generator.Generated found = failing[0];
        TraceResult plain = run(runner, found, new RefImplementation());
        assertEquals(Verdict.PASS, plain.verdict(), () -> "the trace passes without the bug:\n" + found.text() + plain.message());
        long shrinking = System.nanoTime();
        Shrinker.Result shrunk = Shrinker.shrink(gen, found, g -> run(runner, g, buggy).verdict() == Verdict.FAIL, 500);
        long shrunkAt = System.nanoTime();
        long events = SpecTraces.events(shrunk.trace());
        System.out.println("FormatTwoBugsTest: " + bug + " found in walk " + walks[0] + " (seed " + seed + ", "
                + (shrinking - searching) / 1_000_000_000 + " s) (" + first.message() + "); shrunk to " + events + " events in "
                + shrunk.runs() + " runs (" + (shrunkAt - shrinking) / 1_000_000_000 + " s):\n" + shrunk.trace().text()
                + run(runner, shrunk.trace(), buggy).message());
        // The shrinker removes one call at a time and keeps the walk a behaviour of the spec, so a
        // dup whose descriptor a later call uses stays: 1-minimal, and smaller than the walk found.
        assertTrue(events < SpecTraces.events(found) && events <= 20, "shrunk from " + SpecTraces.events(found) + " to "
                + events + " events:\n" + shrunk.trace().text());
        assertEquals(Verdict.PASS, run(runner, shrunk.trace(), new RefImplementation()).verdict());
        assertEquals(Verdict.FAIL, run(runner, shrunk.trace(), buggy).verdict());
    }
}
