package org.sockcheck.harness.trace;

/**
 * A trace that does not follow the grammar of docs/trace-format.md. The
 * message reads {@code file:line:column: expected X, found Y} and a hint.
 */
public final class TraceSyntaxException extends Exception {
    private final String source;
    private final int line;
    private final int column;
    private final String expected;
    private final String found;
    private final String hint;

    public TraceSyntaxException(String source, int line, int column, String expected, String found, String hint) {
        super(source + ":" + line + ":" + column + ": expected " + expected + ", found " + found
                + (hint == null ? "" : "\n  hint: " + hint));
        this.source = source;
        this.line = line;
        this.column = column;
        this.expected = expected;
        this.found = found;
        this.hint = hint;
    }

    public String source() { return source; }

    public int line() { return line; }

    public int column() { return column; }

    public String expected() { return expected; }

    public String found() { return found; }

    public String hint() { return hint; }
}
