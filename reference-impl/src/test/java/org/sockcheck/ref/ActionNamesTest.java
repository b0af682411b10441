package org.sockcheck.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * same name in the reference stack, in the class named after the module that
 * defines the action (SocketApi, Tcp, Udp, Network) and in the module's
 * order, and every call of the trace format is one of those actions. The
 * actions are read from the TLA+ text itself ({@link SpecText#actions}).
 */
class ActionNamesTest {
    /** The modules that define the actions; the reference stack has a class of each name. */
    static final List<String> MODULES = List.of("SocketApi", "Tcp", "Udp", "Network");

    static Set<String> specActions() throws IOException {
        return SpecText.actions();
    }

    static String method(String action) {
        return Character.toLowerCase(action.charAt(0)) + action.substring(1);
    }

    /** The text of spec module name, as the spec jar carries it (under tla/, as SpecText reads it), without comments. */
    static String tla(String name) throws IOException {
        try (InputStream in = SpecText.class.getResourceAsStream("/tla/" + name + ".tla")) {
            Objects.requireNonNull(in, "the spec jar has no tla/" + name + ".tla");
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.replaceAll("(?s)\\(\\*.*?\\*\\)", " ").replaceAll("\\\\\\*[^\\n]*", " ");
        }
    }

    /** The operators module name defines, in the order of its text. */
    static List<String> definitions(String name) throws IOException {
        Matcher def = Pattern.compile("(?m)^(?:RECURSIVE .*\\n)?([A-Z][A-Za-z0-9]*)(?:\\([^)]*\\))?\\s*==").matcher(tla(name));
        List<String> out = new ArrayList<>();
        while (def.find()) {
            out.add(def.group(1));
        }
        return out;
    }

    /** The source of the reference stack's class name, read from src/main/java of this module. */
    static String javaSource(String name) throws IOException {
        Path dir = Path.of("src/main/java/org/sockcheck/ref");
        if (!Files.isDirectory(dir)) {
            dir = Path.of("reference-impl").resolve(dir);
        }
        Path file = dir.resolve(name + ".java");
        assertTrue(Files.isRegularFile(file), "no source " + file.toAbsolutePath());
        return Files.readString(file);
    }

    @Test
    void everySpecActionHasAMethodOfTheSameName() throws IOException {
        Set<String> actions = specActions();
        // A reading that found only a few operators would make this test pass for nothing.
        assertTrue(actions.size() >= 40, "actions read from the spec: " + actions);
        assertTrue(actions.containsAll(Set.of("RcvSynInListen", "Bind", "TimeWaitExpires", "DeliverRaw", "LoseSegment")),
                "actions read from the spec: " + actions);
        System.out.println("ActionNamesTest: " + actions.size() + " spec actions, each a method of the reference stack: " + actions);
        Set<String> methods = new TreeSet<>();
        for (String module : MODULES) {
            Arrays.stream(moduleClass(module).getDeclaredMethods()).map(Method::getName).forEach(methods::add);
        }
        Set<String> missing = actions.stream().filter(a -> !methods.contains(method(a)))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of(), missing, "spec actions without a method in " + MODULES);
    }

    private static Class<?> moduleClass(String module) {
        try {
            return Class.forName(RefStack.class.getPackageName() + "." + module);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("the reference stack has no class " + module + ", as the spec has the module " + module, e);
        }
    }

    /**
     * Each module's actions are methods of the class of its name, declared in
     * its source in the order the module defines them, so that the two read
     * side by side.
     */
    @Test
    void eachModulesActionsAreMethodsOfItsClassInTheModulesOrder() throws IOException {
        Set<String> actions = specActions();
        List<String> placed = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        for (String module : MODULES) {
            List<String> defined = definitions(module).stream().filter(actions::contains).map(ActionNamesTest::method).toList();
            assertTrue(defined.size() >= 1, module + ".tla defines no action: " + definitions(module));
            placed.addAll(defined);
            Set<String> methods = Arrays.stream(moduleClass(module).getDeclaredMethods()).map(Method::getName)
                    .collect(Collectors.toSet());
            String source = javaSource(module);
            List<String> declared = new ArrayList<>();
            int last = -1;
            for (String m : defined) {
                assertTrue(methods.contains(m), module + ".tla defines " + m + ", which class " + module + " does not declare");
                Matcher decl = Pattern.compile("(?m)^[ \\t]+(?!return\\b|new\\b|else\\b|throw\\b)"
                        + "(?:(?:public|protected|private|static|final|synchronized)\\s+)*[\\w.<>\\[\\]]+\\s+"
                        + m + "\\([^)]*\\)\\s*\\{\\s*$").matcher(source);
                assertTrue(decl.find(), module + ".java: no declaration of " + m + " found");
                int at = decl.start();
                assertTrue(!decl.find(), module + ".java declares " + m + " more than once");
                declared.add(m + "@" + at);
                if (at < last) {
                    fail(module + ".java declares the actions in another order than " + module + ".tla: "
                            + defined + " in the spec, in the source at these offsets: " + declared);
                }
                last = at;
            }
            report.append(' ').append(module).append(' ').append(defined.size());
        }
        // Every action is in one of the four modules (Sockets.tla only combines them), and a reading
        // that found only a few would make this test pass for nothing.
        assertEquals(new TreeSet<>(actions.stream().map(ActionNamesTest::method).toList()), new TreeSet<>(placed),
                "the actions of " + MODULES + " against all the spec's actions");
        assertEquals(actions.size(), placed.size(), "an action defined twice: " + placed);
        assertTrue(placed.size() >= 40, "actions placed: " + placed);
        System.out.println("ActionNamesTest: actions in their module's order:" + report);
    }

    @Test
    void everyTraceCallIsASpecAction() throws IOException {
        Set<String> actions = specActions();
        Endpoint a = new Endpoint("192.0.2.1", 80);
        List<ApiCall> calls = List.of(new ApiCall.Socket(SockType.STREAM, 0),
                new ApiCall.SocketPair(org.sockcheck.spec.Domain.UNIX, SockType.STREAM, 0, false), new ApiCall.Bind(3, a),
                new ApiCall.Listen(3, 1), new ApiCall.Connect(3, a), new ApiCall.Accept(3),
                new ApiCall.Send(3, new byte[0]), new ApiCall.Recv(3, 1), new ApiCall.SendTo(3, new byte[0], a),
                new ApiCall.RecvFrom(3, 1), new ApiCall.Shutdown(3, ShutdownHow.WR), new ApiCall.Close(3),
                new ApiCall.GetSockName(3), new ApiCall.GetPeerName(3), new ApiCall.SetSockOpt(3, SockOpt.SO_REUSEADDR, 1),
                new ApiCall.Dup(3), new ApiCall.Fork("p2"), new ApiCall.Exit(), new ApiCall.Fcntl(3, true),
                new ApiCall.GetSockOpt(3, "SO_ERROR"), new ApiCall.Poll(List.of(new ApiCall.PollFd(3, Set.of("POLLIN"))), 0),
                new ApiCall.SendMsg(3, new byte[0], List.of(4)), new ApiCall.RecvMsg(3, 1, false, false));
        assertEquals(ApiCall.class.getPermittedSubclasses().length, calls.size(), "one example of each call");
        for (ApiCall call : calls) {
            String action = RefStack.action(call);
            assertTrue(actions.stream().anyMatch(x -> method(x).equals(action)),
                    call.op() + " is the action " + action + ", which the spec does not have");
            // fcntl is the spec's SetNonBlock: the one command of it that the spec models; recvmsg is a Recv.
            assertTrue(action.equalsIgnoreCase(call.op()) || Set.of("recvfrom", "recvmsg", "setsockopt", "fcntl").contains(call.op()),
                    call.op() + " and " + action + " should be one word");
        }
    }
}
