package org.sockcheck.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.sockcheck.spec.tlc.SpecBridge;
import org.sockcheck.spec.tlc.SpecText;

/** The call vocabulary agrees with the spec: every call of the spec has a word, and each word's parameters are the action's. */
class CallsTest {
    @Test
    void everyCallOfTheSpecIsAWordAndEveryWordACallOfTheSpec() {
        Set<String> actions = new TreeSet<>();
        Calls.ALL.values().forEach(c -> actions.add(c.action()));
        assertEquals(SpecText.kinds().calls(), actions, "the actions under User in Sockets.tla, and those of the table");
    }

    @Test
    void eachWordsParametersAreParametersOfItsAction() throws Exception {
        // The generated walks' model with Unix domain sockets and one name: socketpair is a step only there.
        SpecBridge.Constants g = SpecBridge.Constants.GENERATED;
        SpecBridge spec = SpecBridge.load(new SpecBridge.Constants(g.hosts(), g.procs(), g.ports(), g.ephemeralPorts(), g.fds(),
                g.sids(), g.data(), g.recvSizes(), g.profile(), g.unborn(), g.protocols(), g.destinations(), g.threads(),
                List.of("srv"), List.of("INET", "UNIX")));
        // The parameters of each action, as TLC split them (from every state a short walk reaches).
        Map<String, Set<String>> params = new HashMap<>();
        SpecBridge.State s = spec.init();
        // After an exit, fork (into the process that exited) is a step too.
        SpecBridge.State exited = spec.successors(s, Set.of("Exit")).get(0).next();
        spec.successors(exited, SpecText.kinds().calls())
                .forEach(st -> params.computeIfAbsent(st.action(), a -> new HashSet<>()).addAll(st.params().keySet()));
        for (int k = 0; k < 3; k++) {
            List<SpecBridge.Step> steps = spec.successors(s, SpecText.kinds().calls());
            steps.forEach(st -> params.computeIfAbsent(st.action(), a -> new HashSet<>()).addAll(st.params().keySet()));
            s = steps.stream().filter(st -> st.action().equals("Socket")).findFirst().orElseThrow().next();
        }
        for (Calls.Call c : Calls.ALL.values()) {
            Set<String> want = new TreeSet<>(List.of("p"));
            want.addAll(c.fixed().keySet());
            for (Calls.Param p : c.params()) {
                want.addAll(p.specParams());
                assertTrue(p.spec() != null || p.kind() == Calls.Arg.DOMAIN || p.written() != null || c.params().indexOf(p) >= c.required(),
                        c.word() + ": an argument the spec does not model needs what a generated trace writes for it");
            }
            assertEquals(params.get(c.action()), want, c.word() + " is " + c.action() + " with these parameters");
        }
    }

    @Test
    void theCallsAreMadeFromTheirArguments() {
        assertEquals(new ApiCall.Bind(3, new Endpoint("127.0.0.1", 80)),
                Calls.make("bind", List.of(3L, new Endpoint("127.0.0.1", 80))));
        assertEquals(new ApiCall.Socket(SockType.DGRAM, 0), Calls.make("socket", List.of("INET", "DGRAM")));
        assertEquals(new ApiCall.RecvFrom(4, 100), Calls.make("recvfrom", List.of(4, 100)));
        assertEquals("recvfrom", Calls.ofAction("Recv", Map.of("op", "recvfrom")).get(0).word());
    }
}
