package org.sockcheck.spec.tlc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The spec through TLC's interpreter: initial state, actions with parameters, successors. */
class SpecBridgeTest {
    @Test
    void aListenerAndAClientHandshakeThroughTheSpec() throws Exception {
        SpecBridge spec = SpecBridge.load(SpecBridge.Constants.GENERATED);
        assertTrue(spec.actionNames().containsAll(List.of("Socket", "Bind", "Network", "TimeWaitExpires")),
                spec.actionNames().toString());
        SpecBridge.State s = spec.init();
        s = only(spec, s, "Socket", Map.of("p", List.of("A", "p1", "t1"), "type", "STREAM", "protocol", 0, "nb", false), 3);
        s = only(spec, s, "Bind", Map.of("p", List.of("A", "p1", "t1"), "f", 3, "ip", "A", "port", 80), 0);
        s = only(spec, s, "Listen", Map.of("p", List.of("A", "p1", "t1"), "f", 3, "bl", 8), 0);
        s = only(spec, s, "Socket", Map.of("p", List.of("B", "p1", "t1"), "type", "STREAM", "protocol", 0, "nb", false), 3);
        s = picking(spec, s, "Connect", Map.of("p", List.of("B", "p1", "t1"), "f", 3, "ip", "A", "port", 80), "pending");
        // The network: SYN to the listener, SYN-ACK back, ACK; then connect returns 0.
        s = only(spec, s, "RcvSynInListen", null, null);
        s = only(spec, s, "RcvSynAckInSynSent", null, null);
        s = only(spec, s, "ConnectReturns", null, 0);
        s = only(spec, s, "RcvAckInSynReceived", null, null);
        @SuppressWarnings("unchecked")
        Map<Object, Map<String, Object>> sock = (Map<Object, Map<String, Object>>) s.get("sock");
        assertEquals(List.of("LISTEN", "ESTABLISHED", "ESTABLISHED"),
                sock.values().stream().filter(x -> x.get("proto").equals("tcp")).map(x -> x.get("st")).toList());
        // What an observation shows is ListedRows of the spec (the entries of Listed, S16): the three entries, and not a socket only bound.
        assertEquals(3, spec.listedRows(s).size(), spec.listedRows(s).toString());
        s = only(spec, s, "Socket", Map.of("p", List.of("A", "p1", "t1"), "type", "STREAM", "protocol", 0, "nb", false), 4);
        s = only(spec, s, "Bind", Map.of("p", List.of("A", "p1", "t1"), "f", 4, "ip", "A", "port", 81), 0);
        assertEquals(3, spec.listedRows(s).size(), "a TCP socket that is only bound is not listed");
    }

    @Test
    void theKindsOfStepAreReadFromTheSpec() throws Exception {
        SpecText.Kinds k = SpecText.kinds();
        assertEquals(Set.of("ConnectReturns", "AcceptReturns", "RecvReturns", "PollReturns"), k.returns());
        assertEquals(Set.of("TimeWaitExpires", "FinWait2Timeout", "HandshakeTimeout"), k.timers());
        assertTrue(k.calls().containsAll(List.of("Socket", "Bind", "Recv", "SetSockOpt", "Poll", "Fork", "Exit")), k.calls().toString());
        assertTrue(k.network().containsAll(List.of("RcvSynInListen", "DeliverDatagram", "LoseSegment")), k.network().toString());
        java.util.Set<String> all = new java.util.TreeSet<>(k.calls());
        all.addAll(k.returns());
        all.addAll(k.timers());
        all.addAll(k.network());
        assertEquals(SpecText.actions(), all, "every action is of one kind");
        assertEquals(SpecText.actions().size(), k.calls().size() + k.returns().size() + k.timers().size() + k.network().size(),
                "and of one kind only");
    }

    @Test
    void modelsWithOtherConstantsLiveSideBySide() throws Exception {
        SpecBridge linux = SpecBridge.load(SpecBridge.Constants.GENERATED);
        SpecBridge posix = SpecBridge.load(new SpecBridge.Constants(List.of("A"), List.of("p1", "c1"), List.of(80),
                List.of(40000), List.of(3), 2, List.of("d"), List.of(1), "POSIX", List.of("c1")));
        assertSame(linux, SpecBridge.load(SpecBridge.Constants.GENERATED), "the same constants give the model loaded");
        // Interleaved: each model answers with its own profile (listen on an unbound socket) and its own processes.
        for (int round = 0; round < 2; round++) {
            SpecBridge.State l = only(linux, linux.init(), "Socket", Map.of("p", List.of("A", "p1", "t1"), "type", "STREAM", "protocol", 0, "nb", false), 3);
            SpecBridge.State p = only(posix, posix.init(), "Socket", Map.of("p", List.of("A", "p1", "t1"), "type", "STREAM", "protocol", 0, "nb", false), 3);
            picking(linux, l, "Listen", Map.of("p", List.of("A", "p1", "t1"), "f", 3, "bl", 8), 0);
            only(posix, p, "Listen", Map.of("p", List.of("A", "p1", "t1"), "f", 3, "bl", 8), "EDESTADDRREQ");
        }
        assertEquals(Map.of(List.of("A", "p1"), true, List.of("A", "c1"), false), posix.init().get("alive"),
                "an unborn process is not alive until it is forked");
        SpecBridge.State forked = only(posix, posix.init(), "Fork", Map.of("p", List.of("A", "p1", "t1"), "q", List.of("A", "c1")), "c1");
        assertEquals(true, ((Map<?, ?>) forked.get("alive")).get(List.of("A", "c1")));
    }

    @Test
    void theModelsShareOneBoundedMemoryOfSuccessors() throws Exception {
        SpecBridge linux = SpecBridge.load(SpecBridge.Constants.GENERATED);
        SpecBridge posix = SpecBridge.load(new SpecBridge.Constants(List.of("A"), List.of("p1", "c1"), List.of(80),
                List.of(40000), List.of(3), 2, List.of("d"), List.of(1), "POSIX", List.of("c1")));
        int bound = 200;
        int before = SpecBridge.memoLimit(bound);
        try {
            // Breadth first through both models (the questions the memo answers: some actions' steps) until
            // each has answered more steps than the bound holds; after every answer the memo holds at most the bound.
            Set<String> asking = Set.of("Socket", "Bind", "Listen", "Connect", "Close");
            int asked = 0;
            int most = 0;
            for (SpecBridge spec : List.of(linux, posix)) {
                java.util.ArrayDeque<SpecBridge.State> todo = new java.util.ArrayDeque<>(List.of(spec.init()));
                Set<SpecBridge.State> seen = new java.util.HashSet<>(todo);
                int steps = 0;
                while (steps <= 2 * bound && !todo.isEmpty()) {
                    for (SpecBridge.Step st : spec.successors(todo.poll(), asking)) {
                        steps++;
                        if (seen.add(st.next())) {
                            todo.add(st.next());
                        }
                    }
                    asked++;
                    most = Math.max(most, SpecBridge.memoSteps());
                }
                assertTrue(steps > 2 * bound, "the walk of " + spec.constants().profile() + " gave " + steps + " steps only");
            }
            assertTrue(most <= bound && most > bound / 2, "the memo held at most " + most + " steps, its bound " + bound);
            // Answers the memo dropped are computed again, the same.
            SpecBridge.State s = only(linux, linux.init(), "Socket", Map.of("p", List.of("A", "p1", "t1"), "type", "STREAM", "protocol", 0, "nb", false), 3);
            picking(linux, s, "Listen", Map.of("p", List.of("A", "p1", "t1"), "f", 3, "bl", 8), 0);
            System.out.println("SpecBridgeTest: " + asked + " questions of two models, the memo at most " + most + " steps (bound " + bound + ")");
        } finally {
            SpecBridge.memoLimit(before);
        }
    }

    @Test
    void dataAreBytesOfAnyValueAndARecvTakesAtMostItsSize() throws Exception {
        byte[] every = new byte[256];
        for (int b = 0; b < 256; b++) {
            every[b] = (byte) b;
        }
        String all = SpecBridge.data(every);
        org.junit.jupiter.api.Assertions.assertArrayEquals(every, SpecBridge.bytes(all), "bytes undoes data");
        SpecBridge spec = SpecBridge.load(new SpecBridge.Constants(List.of("A", "B"), List.of("p1"), List.of(80),
                List.of(40000), List.of(3, 4), 3, List.of(all, "xy"), List.of(3, 300), "LINUX"));
        SpecBridge.State s = spec.init();
        s = only(spec, s, "Socket", Map.of("p", List.of("A", "p1", "t1"), "type", "DGRAM", "protocol", 0, "nb", false), 3);
        s = only(spec, s, "Bind", Map.of("p", List.of("A", "p1", "t1"), "f", 3, "ip", "A", "port", 80), 0);
        s = only(spec, s, "Socket", Map.of("p", List.of("B", "p1", "t1"), "type", "DGRAM", "protocol", 0, "nb", false), 3);
        s = only(spec, s, "SendTo", Map.of("p", List.of("B", "p1", "t1"), "f", 3, "d", all, "ip", "A", "port", 80), 256);
        s = only(spec, s, "SendTo", Map.of("p", List.of("B", "p1", "t1"), "f", 3, "d", "xy", "ip", "A", "port", 80), 2);
        s = only(spec, s, "DeliverDatagram", Map.of("m", ((List<?>) s.get("net")).stream()
                .filter(m -> ((Map<?, ?>) m).get("data").equals(all)).findFirst().orElseThrow()), null);
        s = only(spec, s, "DeliverDatagram", null, null);
        // Every byte, 0 to 255, went through TLC and back as itself; a datagram is cut to the size asked.
        s = only(spec, s, "Recv", Map.of("p", List.of("A", "p1", "t1"), "f", 3, "op", "recv", "n", 3, "peek", false, "dw", false, "wa", false, "tr", false),
                Map.of("data", all.substring(0, 3), "from", List.of("B", 40000)));
        only(spec, s, "Recv", Map.of("p", List.of("A", "p1", "t1"), "f", 3, "op", "recv", "n", 300, "peek", false, "dw", false, "wa", false, "tr", false),
                Map.of("data", "xy", "from", List.of("B", 40000)));
    }

    @Test
    void aCallWithValuesTheModelDoesNotEnumerateIsTheActionWithThoseValues() throws Exception {
        SpecBridge spec = SpecBridge.load(SpecBridge.Constants.GENERATED);
        List<String> a = List.of("A", "p1", "t1");
        SpecBridge.State s = only(spec, spec.init(), "Socket", Map.of("p", a, "type", "STREAM", "protocol", 0, "nb", false), 3);
        s = only(spec, s, "Socket", Map.of("p", a, "type", "DGRAM", "protocol", 0, "nb", false), 4);
        // A poll of three descriptors (the model's PollRequests have one): each entry answered by Readiness.
        List<Map<String, Object>> rq = List.of(Map.of("fd", 3, "ev", Set.of("POLLIN", "POLLOUT")),
                Map.of("fd", 4, "ev", Set.of("POLLIN", "POLLOUT")), Map.of("fd", 5, "ev", Set.of("POLLIN")));
        List<SpecBridge.Step> poll = spec.successors(s, "Poll", Map.of("p", a, "rq", rq, "tm", 0));
        assertEquals(1, poll.size(), poll.toString());
        Map<?, ?> ret = (Map<?, ?>) poll.get(0).next().evt().get("ret");
        assertEquals(Map.of(1, List.of("POLLHUP", "POLLOUT"), 2, List.of("POLLOUT"), 3, List.of("POLLNVAL")), ret.get("revents"));
        // A linger of 5 seconds (the model's are 0 and off), read back by getsockopt.
        List<SpecBridge.Step> set = spec.successors(s, "SetSockOpt", Map.of("p", a, "f", 3, "opt", "SO_LINGER", "v", List.of(1, 5)));
        assertEquals(1, set.size(), set.toString());
        only(spec, set.get(0).next(), "GetSockOpt", Map.of("p", a, "f", 3, "opt", "SO_LINGER"), Map.of("value", List.of(1, 5)));
    }

    /**
     * Takes the first step of an action that gives an unbound socket an ephemeral port: there is
     * one for each port (any free one), each with the same result.
     */
    private static SpecBridge.State picking(SpecBridge spec, SpecBridge.State s, String action, Map<String, Object> params,
                                            Object ret) {
        List<SpecBridge.Step> steps = spec.successors(s, Set.of(action)).stream()
                .filter(st -> st.params().entrySet().containsAll(params.entrySet())).toList();
        List<Integer> pool = spec.constants().ephemeralPorts();
        assertTrue(pool.size() > 1, "the model has several ephemeral ports");
        assertEquals(pool.size(), steps.size(), action + params + ": " + steps);
        assertEquals(pool.stream().map(List::of).collect(java.util.stream.Collectors.toSet()),
                steps.stream().map(st -> st.next().sockets().values().stream().map(x -> x.get("lport"))
                        .filter(pool::contains).toList()).collect(java.util.stream.Collectors.toSet()),
                "one step for each ephemeral port");
        for (SpecBridge.Step st : steps) {
            assertEquals(ret, st.next().evt().get("ret"), action + " recorded " + st.next().evt());
        }
        return steps.get(0).next();
    }

    /** Takes the one step of this action (with these parameters, when given) and checks what it recorded. */
    private static SpecBridge.State only(SpecBridge spec, SpecBridge.State s, String action, Map<String, Object> params,
                                         Object ret) {
        List<SpecBridge.Step> steps = spec.successors(s, Set.of(action)).stream()
                .filter(st -> params == null || st.params().entrySet().containsAll(params.entrySet())).toList();
        assertEquals(1, steps.size(), action + params + " from " + s + ": " + steps);
        SpecBridge.State next = steps.get(0).next();
        if (ret != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> evt = (Map<String, Object>) next.get("evt");
            assertEquals(ret, evt.get("ret"), action + " recorded " + evt);
        }
        return next;
    }
}
