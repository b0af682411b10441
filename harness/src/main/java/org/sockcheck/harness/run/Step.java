package org.sockcheck.harness.run;

/**
 * One replayed event: the line it came from, the event as written, and what
 * the implementation did, rendered with the trace's symbolic names.
 */
public record Step(int line, String event, String expected, String observed, boolean ok) {
}
