package org.sockcheck.harness.trace;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.sockcheck.spec.Profile;

/**
 * A trace, format 1 or 2: header, comments and events in file order. Keeping the
 * comments and blank lines as lines of their own makes the text and JSON Lines
 * forms convertible both ways without loss.
 *
 * @param source where it was read from (for messages), or a name
 */
public record Trace(String source, int version, Profile profile, List<Line> lines) {

    /** The newest trace format: 2 adds threads and calls that return later. */
    public static final int VERSION = 2;

    public List<Event> events() {
        return lines.stream().filter(l -> l instanceof Event).map(l -> (Event) l).toList();
    }

    /** The first comment line: by convention, the claim the trace shows. */
    public String title() {
        return lines.stream().filter(l -> l instanceof Line.Comment).map(l -> ((Line.Comment) l).text().strip())
                .findFirst().orElse("");
    }

    /** Hosts in order of first appearance, in events or in addresses. */
    public List<String> hosts() {
        Set<String> hosts = new LinkedHashSet<>();
        for (Event e : events()) {
            hosts.add(e.host());
            if (e instanceof Event.Call c) {
                for (Arg a : c.args()) {
                    // A host's address in any form ([A], [::ffff:A]) names the host; a wildcard none.
                    if (a instanceof Arg.Addr addr && !addr.unix() && !addr.unspec()
                            && org.sockcheck.spec.TraceHost.host(addr.host()) != null) {
                        hosts.add(org.sockcheck.spec.TraceHost.host(addr.host()));
                    }
                }
            }
        }
        return new ArrayList<>(hosts);
    }

    /** Processes as "HOST.proc", in order of first appearance. */
    public List<String> processes() {
        Set<String> procs = new LinkedHashSet<>();
        for (Event e : events()) {
            if (e instanceof Event.Call c) {
                procs.add(c.host() + "." + c.process());
            }
        }
        return new ArrayList<>(procs);
    }

    /** Every line of a trace file. */
    public sealed interface Line permits Line.Comment, Line.Blank, Line.Header, Event {
        /** {@code version 1} or {@code profile LINUX}. */
        record Header(String key, String value) implements Line {
        }

        /** A comment; the text follows the '#'. */
        record Comment(String text) implements Line {
        }

        record Blank() implements Line {
        }
    }
}
