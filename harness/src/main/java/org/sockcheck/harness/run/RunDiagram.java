package org.sockcheck.harness.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sockcheck.harness.trace.Event;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.reports.SequenceDiagram;
import org.sockcheck.reports.SequenceDiagram.Kind;
import org.sockcheck.reports.SequenceDiagram.Row;

/**
 * The sequence diagram of a run: its replayed events in the order a
 * behaviour of the spec took them, with the segments that behaviour
 * delivered in between. Where no behaviour was found (after the line the spec
 * rejects, or without a judge) the events follow in trace order, without
 * segments.
 */
final class RunDiagram {
    private RunDiagram() {
    }

    /**
     * @param witness what the spec's behaviour did, events by their index in the observed run
     * @param observedLines the trace line of each event of the observed run
     */
    static SequenceDiagram of(Trace trace, List<Step> steps, List<Witnessed> witness, List<Integer> observedLines) {
        Map<Integer, Event> events = new HashMap<>();
        trace.events().forEach(e -> events.put(e.line(), e));
        Map<Integer, Step> byLine = new HashMap<>();
        steps.forEach(s -> byLine.put(s.line(), s));
        Set<Integer> returnsLater = new HashSet<>();
        for (Witnessed w : witness) {
            if (w instanceof Witnessed.Returned r && r.event() < observedLines.size()) {
                returnsLater.add(observedLines.get(r.event()));
            }
        }
        List<Row> rows = new ArrayList<>();
        Set<Integer> drawn = new HashSet<>();
        for (Witnessed w : witness) {
            switch (w) {
                case Witnessed.Called c when c.event() < observedLines.size() -> {
                    int line = observedLines.get(c.event());
                    // Observations written before this call come first.
                    for (Step s : steps) {
                        if (s.line() < line && !drawn.contains(s.line()) && events.get(s.line()) instanceof Event.Observe o) {
                            note(rows, o, s);
                            drawn.add(s.line());
                        }
                    }
                    if (events.get(line) instanceof Event.Call call && byLine.containsKey(line)) {
                        rows.add(call(call));
                        if (!returnsLater.contains(line)) {
                            rows.add(result(call, byLine.get(line)));
                        }
                        drawn.add(line);
                    }
                }
                case Witnessed.Returned r when r.event() < observedLines.size() -> {
                    int line = observedLines.get(r.event());
                    if (events.get(line) instanceof Event.Call call && byLine.containsKey(line)) {
                        rows.add(result(call, byLine.get(line)));
                    }
                }
                case Witnessed.Segment s -> rows.add(new Row(s.lost() ? Kind.LOST : Kind.SEGMENT, 0, s.fromHost(),
                        s.toHost(), s.label() + (s.lost() ? " (lost)" : ""), "", true));
                default -> {
                }
            }
        }
        for (Step s : steps) {
            if (drawn.contains(s.line())) {
                continue;
            }
            switch (events.get(s.line())) {
                case Event.Call call -> {
                    rows.add(call(call));
                    rows.add(result(call, s));
                }
                case Event.Return r -> {
                    Row row = result(r.call(), s);
                    rows.add(new Row(row.kind(), r.line(), row.from(), row.to(), r.op() + " " + row.label(), row.detail(),
                            row.ok()));
                }
                case Event.Observe o -> note(rows, o, s);
                case null -> {
                }
            }
        }
        return new SequenceDiagram(SequenceDiagram.lifelines(trace.hosts(), trace.processes()), rows);
    }

    private static Row call(Event.Call c) {
        return new Row(Kind.CALL, c.line(), c.host() + "." + c.process(), c.host(), TraceText.callOnly(c), "", true);
    }

    /** The return as the implementation gave it; what the trace wrote under it when that differs. */
    private static Row result(Event.Call c, Step s) {
        String observed = s.observed().startsWith("(") ? s.observed() : "= " + s.observed();
        String detail = s.observed().equals(s.expected()) ? ""
                : s.ok() ? "trace: = " + s.expected() + " (the spec allows this too)" : "expected: = " + s.expected();
        return new Row(Kind.RETURN, c.line(), c.host(), c.host() + "." + c.process(), observed, detail, s.ok());
    }

    private static void note(List<Row> rows, Event.Observe o, Step s) {
        String detail = s.ok() || s.observed().equals(s.expected()) ? "" : "expected: " + s.expected();
        rows.add(new Row(Kind.NOTE, o.line(), o.host(), o.host(), "observe: " + s.observed(), detail, s.ok()));
    }
}
