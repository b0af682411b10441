package org.sockcheck.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.sockcheck.ref.Segment.Kind;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.Profile;
import org.sockcheck.spec.SockType;

/**
 * The guards of TcpArrival's actions exclude each other (Tcp.tla), so the
 * order in which the reference stack tries them cannot matter. Seeded random
 * walks ({@link RandomWalk}) drive two stacks in lockstep, one trying the
 * actions in Tcp.tla's order and one in the reverse order (the hook
 * {@link Tcp#arrival}); after each step both must have returned the same and
 * must hold the same state: socket tables, segments in flight, transitions
 * and processes. Each arrival action must have taken a segment somewhere in
 * the walks, so that each was tried before and after the others.
 */
class ArrivalOrderTest {
    /** The walks to run; -Darrival.walks=N runs more (or fewer) of them. */
    static final int WALKS = Integer.getInteger("arrival.walks", 400);
    static final int STEPS = 200;
    /** How many steps a failure shows, the last one the step where the stacks parted. */
    static final int SHOWN = 25;

    @Test
    void reversedOrderTakesEverySegmentAsTheSpecsOrderDoes() {
        Map<String, Integer> taken = new TreeMap<>();
        int steps = 0;
        int deliveries = 0;
        for (int seed = 0; seed < WALKS; seed++) {
            Profile profile = seed % 2 == 0 ? Profile.LINUX : Profile.POSIX;
            // Half the walks run out of descriptors, entries and ephemeral ports.
            RefStack.Limits limits = seed % 4 < 2 ? RefStack.Limits.LINUX : new RefStack.Limits(7, 10, 32768, 32770);
            Lockstep both = new Lockstep("walk " + seed + " (" + profile + ", " + limits + ")", profile, limits);
            both.spec.tcp.arrival = counting(both.spec.tcp.arrival, taken);
            RandomWalk walk = new RandomWalk(seed);
            for (int i = 0; i < STEPS; i++) {
                RandomWalk.Step step = walk.next(both.spec);
                both.step(step);
                steps++;
                if (step.what().startsWith("deliver")) {
                    deliveries++;
                }
            }
        }
        System.out.println("ArrivalOrderTest: " + WALKS + " walks, " + steps + " steps (" + deliveries
                + " chosen deliveries) compared in Tcp.tla's order and reversed; segments each arrival action took: " + taken);
        Set<String> never = new TreeSet<>(arrivalNames(new RefStack(Profile.LINUX)));
        never.removeAll(taken.keySet());
        assertEquals(Set.of(), never, "arrival actions the walks never took, so never compared; taken: " + taken);
    }

    /**
     * A case the walks do not reach: on POSIX a connection that was reset
     * leaves its socket CLOSED with its RCV.NXT, and the socket may listen.
     * A duplicate of an old data segment of the connection then reaches the
     * listener, numbered below RCV.NXT: it is RcvOtherInListen's (answered by
     * RST), and not RcvStale's, whose guard in Tcp.tla excludes listeners.
     */
    @Test
    void aStaleDuplicateForASocketListeningAfterAResetIsTheListenersAlone() {
        Endpoint a80 = new Endpoint(RandomWalk.IPS[0], 80);
        Lockstep both = new Lockstep("listening after a reset", Profile.POSIX, RefStack.Limits.LINUX);
        both.call("A", new ApiCall.Socket(SockType.STREAM, 0));
        both.call("A", new ApiCall.Bind(3, a80));
        both.call("A", new ApiCall.Listen(3, 1));
        both.call("B", new ApiCall.Socket(SockType.STREAM, 0));
        both.call("B", new ApiCall.Connect(3, a80));
        both.call("A", new ApiCall.Accept(3));
        both.call("A", new ApiCall.Close(3));
        both.step(new RandomWalk.Step("autoDeliver false", s -> {
            s.setAutoDeliver(false);
            return "";
        }));
        both.call("B", new ApiCall.Send(3, new byte[] {'x'}));
        both.deliver(Kind.DATA, 80, true);
        both.deliver(Kind.ACK, 32768, false);
        both.call("A", new ApiCall.Send(4, new byte[] {'y'}));
        both.deliver(Kind.DATA, 32768, false);
        both.deliver(Kind.ACK, 80, false);
        // B closes with unread data: an RST, which resets A's connection (CLOSED, RCV.NXT 2).
        both.call("B", new ApiCall.Close(3));
        both.deliver(Kind.RST, 80, false);
        both.call("A", new ApiCall.Listen(4, 1));
        assertEquals("rcvOtherInListen", both.deliver(Kind.DATA, 80, false));
    }

    /** The hook's list is TcpArrival's disjuncts in Tcp.tla, in that order. */
    @Test
    void theArrivalWalksTcpArrivalInTheSpecsOrder() throws IOException {
        String text = ActionNamesTest.tla("Tcp");
        Matcher def = Pattern.compile("(?ms)^TcpArrival\\(m, keep\\) ==(.*?)^\\S").matcher(text);
        assertTrue(def.find(), "Tcp.tla defines TcpArrival(m, keep)");
        List<String> disjuncts = new ArrayList<>();
        Matcher action = Pattern.compile("\\\\/ ([A-Z]\\w*)\\(m, keep\\)").matcher(def.group(1));
        while (action.find()) {
            disjuncts.add(ActionNamesTest.method(action.group(1)));
        }
        assertTrue(disjuncts.size() >= 15, "TcpArrival's actions as read from Tcp.tla: " + disjuncts);
        assertEquals(disjuncts, arrivalNames(new RefStack(Profile.POSIX)));
    }

    private static List<String> arrivalNames(RefStack stack) {
        return stack.tcp.arrival.stream().map(Tcp.Arrival::action).toList();
    }

    /**
     * Two stacks, one trying the arrival actions in Tcp.tla's order and one
     * reversed, that take each step together and must agree after it.
     */
    static final class Lockstep {
        final String name;
        final RefStack spec;
        final RefStack reversed;
        private final Deque<String> recent = new ArrayDeque<>();
        private int steps;

        Lockstep(String name, Profile profile, RefStack.Limits limits) {
            this.name = name;
            this.spec = RandomWalk.stack(profile, limits);
            this.reversed = RandomWalk.stack(profile, limits);
            reversed.tcp.arrival = reversed.tcp.arrival.reversed();
        }

        /** Takes the step on both stacks; fails unless both returned the same and hold the same state. */
        String step(RandomWalk.Step step) {
            int i = steps++;
            String inSpecOrder = step.run().apply(spec);
            String inReverse = step.run().apply(reversed);
            recent.addLast(i + ": " + step.what() + " => " + inSpecOrder
                    + (inSpecOrder.equals(inReverse) ? "" : " | reversed: " + inReverse));
            if (recent.size() > SHOWN) {
                recent.removeFirst();
            }
            String where = name + ", step " + i;
            if (!inSpecOrder.equals(inReverse)) {
                fail(where + ": the step returned " + inSpecOrder + " with the spec's order and " + inReverse
                        + " reversed; the last steps:\n" + String.join("\n", recent));
            }
            String a = RandomWalk.state(spec);
            String b = RandomWalk.state(reversed);
            if (!a.equals(b)) {
                fail(where + ": the stacks differ after the step: " + firstDifference(a, b)
                        + "\nthe last steps:\n" + String.join("\n", recent)
                        + "\nstate with the spec's order:\n" + a + "\nstate with the reversed order:\n" + b);
            }
            return inSpecOrder;
        }

        String call(String host, ApiCall call) {
            return step(new RandomWalk.Step(host + ".p " + RandomWalk.describe(call), s -> String.valueOf(s.call(host, "p", call))));
        }

        /** Delivers the first segment in flight of this kind to port, the copy kept when keep; the action that took it. */
        String deliver(Kind kind, int port, boolean keep) {
            List<Segment> net = spec.inFlight();
            for (int i = 0; i < net.size(); i++) {
                if (net.get(i).kind() == kind && net.get(i).dst().port() == port) {
                    int at = i;
                    return step(new RandomWalk.Step("deliver " + net.get(i) + (keep ? " keep" : ""),
                            s -> String.valueOf(s.deliver(at, keep))));
                }
            }
            throw new AssertionError(name + ": no " + kind + " to port " + port + " in flight: " + net);
        }
    }

    /** The same actions in the same order, each counting in taken the segments it takes. */
    private static List<Tcp.Arrival> counting(List<Tcp.Arrival> actions, Map<String, Integer> taken) {
        return actions.stream().map(a -> new Tcp.Arrival(a.action(), (s, m, keep) -> {
            boolean took = a.take().take(s, m, keep);
            if (took) {
                taken.merge(a.action(), 1, Integer::sum);
            }
            return took;
        })).toList();
    }

    private static String firstDifference(String a, String b) {
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String l = i < x.length ? x[i] : "(nothing)";
            String r = i < y.length ? y[i] : "(nothing)";
            if (!l.equals(r)) {
                return "\n  spec's order: " + l + "\n  reversed:     " + r;
            }
        }
        return "(none)";
    }
}
