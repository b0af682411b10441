package org.sockcheck.harness.impl.driver;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A driver runs as the leader of a process group of its own (started
 * through setsid), so that the driver and everything it started, children
 * and grandchildren, also those whose parent has exited, end together.
 */
final class ProcessGroup {
    private static final Path SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid")).stream()
            .filter(Files::isExecutable).findFirst().orElse(null);
    private static final MethodHandle KILL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("kill").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final int SIGKILL = 9;

    private ProcessGroup() {
    }

    /** The command to start so that it leads a new session and process group: setsid COMMAND, where setsid exists. */
    static List<String> leading(List<String> command) {
        if (SETSID == null) {
            return command;
        }
        java.util.ArrayList<String> out = new java.util.ArrayList<>(List.of(SETSID.toString()));
        out.addAll(command);
        return out;
    }

    /**
     * Ends every process of the group the driver leads (its id is the
     * driver's pid). A group id stays taken while any member lives, so this
     * reaches no one else; with no member left it does nothing.
     */
    static void kill(long leader) {
        if (SETSID == null || leader <= 1 || leader == ProcessHandle.current().pid()) {
            return;
        }
        try {
            int unused = (int) KILL.invokeExact(-(int) leader, SIGKILL);
        } catch (Throwable t) {
            // No such group: nothing left to end.
        }
    }
}
