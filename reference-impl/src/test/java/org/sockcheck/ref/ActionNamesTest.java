package org.sockcheck.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.sockcheck.spec.ApiCall;
import org.sockcheck.spec.Endpoint;
import org.sockcheck.spec.ShutdownHow;
import org.sockcheck.spec.SockOpt;
import org.sockcheck.spec.SockType;
import org.sockcheck.spec.tlc.SpecText;

/**
 * One name in three places: every action of the spec has a method of the
 * same name in the reference stack, and every call of the trace format is
 * one of those actions. The actions are read from the TLA+ text itself
 * ({@link SpecText#actions}).
 */
class ActionNamesTest {
    static Set<String> specActions() throws IOException {
        return SpecText.actions();
    }

    private static String method(String action) {
        return Character.toLowerCase(action.charAt(0)) + action.substring(1);
    }

    @Test
    void everySpecActionHasAMethodOfTheSameName() throws IOException {
        Set<String> actions = specActions();
        // A reading that found only a few operators would make this test pass for nothing.
        assertTrue(actions.size() >= 40, "actions read from the spec: " + actions);
        assertTrue(actions.containsAll(Set.of("RcvSynInListen", "Bind", "TimeWaitExpires", "DeliverRaw", "LoseSegment")),
                "actions read from the spec: " + actions);
        System.out.println("ActionNamesTest: " + actions.size() + " spec actions, each a RefStack method: " + actions);
        Set<String> methods = Arrays.stream(RefStack.class.getDeclaredMethods()).map(Method::getName)
                .collect(Collectors.toSet());
        Set<String> missing = actions.stream().filter(a -> !methods.contains(method(a)))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of(), missing, "spec actions without a RefStack method");
    }

    @Test
    void everyTraceCallIsASpecAction() throws IOException {
        Set<String> actions = specActions();
        Endpoint a = new Endpoint("192.0.2.1", 80);
        List<ApiCall> calls = List.of(new ApiCall.Socket(SockType.STREAM, 0), new ApiCall.Bind(3, a),
                new ApiCall.Listen(3, 1), new ApiCall.Connect(3, a), new ApiCall.Accept(3),
                new ApiCall.Send(3, new byte[0]), new ApiCall.Recv(3, 1), new ApiCall.SendTo(3, new byte[0], a),
                new ApiCall.RecvFrom(3, 1), new ApiCall.Shutdown(3, ShutdownHow.WR), new ApiCall.Close(3),
                new ApiCall.GetSockName(3), new ApiCall.GetPeerName(3), new ApiCall.SetSockOpt(3, SockOpt.SO_REUSEADDR, 1),
                new ApiCall.Dup(3), new ApiCall.Fork("p2"), new ApiCall.Exit());
        assertEquals(ApiCall.class.getPermittedSubclasses().length, calls.size(), "one example of each call");
        for (ApiCall call : calls) {
            String action = RefStack.action(call);
            assertTrue(actions.stream().anyMatch(x -> method(x).equals(action)),
                    call.op() + " is the action " + action + ", which the spec does not have");
            assertTrue(action.equalsIgnoreCase(call.op()) || Set.of("recvfrom", "setsockopt").contains(call.op()),
                    call.op() + " and " + action + " should be one word");
        }
    }
}
