package org.sockcheck.harness.impl.driver;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.sockcheck.harness.impl.ImplementationException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One driver process: the requests it is sent, the replies it writes, and
 * the bounded waits between them. Output is read by a thread of its own so a
 * driver that never answers costs at most the call timeout.
 */
final class DriverProcess implements AutoCloseable {
    static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String EOF = "\u0000eof";
    private static final int STDERR_KEPT = 40;

    private final String label;
    private final Process process;
    private final OutputStream stdin;
    /** Lines read and not yet taken: bounded, so a driver that floods its output waits on its pipe instead. */
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>(1024);
    private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
    private long nextId = 1;
    /** Where the exchanges go (--driver-log), or null. */
    private final DriverLog log;

    DriverProcess(String label, List<String> command, DriverLog log) throws ImplementationException {
        this.label = label;
        this.log = log;
        if (log != null) {
            log.line('#', "start " + String.join(" ", command) + " as " + label);
        }
        try {
            process = org.sockcheck.harness.impl.Spawns.start(
                    new ProcessBuilder(ProcessGroup.leading(command)).redirectInput(ProcessBuilder.Redirect.PIPE));
        } catch (IOException e) {
            throw new ImplementationException("cannot start driver " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        stdin = process.getOutputStream();
        Thread out = Thread.ofVirtual().name("driver-out-" + label).start(() -> pump(
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), true));
        Thread err = Thread.ofVirtual().name("driver-err-" + label).start(() -> pump(
                new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), false));
        out.setUncaughtExceptionHandler((t, e) -> { });
        err.setUncaughtExceptionHandler((t, e) -> { });
    }

    /** The longest reply line a driver may write; a longer one is the driver's fault (ERROR), and reading stops. */
    static final int MAX_LINE = 1 << 20;
    /** The longest stderr line kept (the rest of it is dropped). */
    private static final int MAX_STDERR_LINE = 4096;
    private static final String TOO_LONG = "\u0000too long";

    private void pump(BufferedReader r, boolean stdout) {
        try (r) {
            StringBuilder line = new StringBuilder();
            int ch;
            while ((ch = r.read()) != -1) {
                if (ch != '\n') {
                    if (line.length() < (stdout ? MAX_LINE : MAX_STDERR_LINE)) {
                        line.append((char) ch);
                    } else if (stdout) {
                        // Memory is bounded whatever a driver writes: the line is not kept, and nothing after it.
                        lines.offer(TOO_LONG);
                        return;
                    }
                    continue;
                }
                String text = line.toString();
                line.setLength(0);
                if (log != null) {
                    log.line(stdout ? '<' : '!', text);
                }
                if (stdout) {
                    try {
                        lines.put(text);
                    } catch (InterruptedException e) {
                        return;
                    }
                } else {
                    synchronized (stderrTail) {
                        stderrTail.add(text);
                        if (stderrTail.size() > STDERR_KEPT) {
                            stderrTail.removeFirst();
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the process ended; the EOF marker below says so
        } finally {
            if (stdout) {
                lines.offer(EOF);
            }
        }
    }

    String stderr() {
        synchronized (stderrTail) {
            return String.join("\n", stderrTail);
        }
    }

    /**
     * Sends one request of protocol 1 (every request on thread t1) and waits
     * for its reply: the "ok" value, or an {@link ErrnoReply} for "err".
     * Anything else is the driver's fault.
     */
    JsonNode request(String op, ObjectNode args, long timeoutMs)
            throws ImplementationException, ErrnoReply, NoReply, UnsupportedReply {
        if (waiting != null) {
            // Protocol 1 has one thread per driver: a driver that waits in a call answers nothing else.
            throw failure("the driver still waits in " + waiting + ", so it cannot take " + op);
        }
        ObjectNode req = JSON.createObjectNode();
        req.put("thread", "t1");
        long id = send(req, op, args);
        try {
            return await(id, timeoutMs);
        } catch (NoReply e) {
            waiting = op;
            throw e;
        }
    }

    /** What each request not yet answered asked for, by id. */
    private final java.util.Map<Long, String> pending = new java.util.HashMap<>();
    /** Replies that came while the runner waited for another, by id: at most one per pending request. */
    private final java.util.Map<Long, JsonNode> arrived = new java.util.HashMap<>();

    /**
     * Sends a request: the fields of head (protocol 2: host, process,
     * thread), then id, op and args. Its reply is taken with {@link #await}.
     */
    long send(ObjectNode head, String op, ObjectNode args) throws ImplementationException {
        long id = nextId++;
        ObjectNode req = JSON.createObjectNode();
        req.put("id", id);
        req.setAll(head);
        req.put("op", op);
        req.set("args", args);
        try {
            String text = JSON.writeValueAsString(req);
            if (log != null) {
                log.line('>', text);
            }
            stdin.write((text + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw failure("could not send " + op + ": the driver has closed its input");
        }
        pending.put(id, op);
        return id;
    }

    /**
     * Waits for the reply to request id: the "ok" value, an
     * {@link ErrnoReply} for "err", an {@link UnsupportedReply} for
     * "unsupported", {@link NoReply} when none came within timeoutMs (the
     * request stays pending). Replies to other pending requests that come
     * meanwhile are kept for their own await; anything else is the
     * driver's fault.
     */
    JsonNode await(long id, long timeoutMs) throws ImplementationException, ErrnoReply, NoReply, UnsupportedReply {
        String op = pending.get(id);
        if (op == null) {
            throw new IllegalStateException("no request " + id + " is pending");
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        JsonNode reply = arrived.remove(id);
        while (reply == null) {
            long left = deadline - System.nanoTime();
            String line;
            try {
                line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("interrupted while waiting for " + op);
            }
            if (line == null) {
                throw new NoReply(op + " did not return within " + timeoutMs + " ms");
            }
            if (line.equals(EOF)) {
                lines.offer(EOF);
                throw failure("the driver exited while " + op + " was pending" + exitCode());
            }
            if (line.equals(TOO_LONG)) {
                lines.offer(TOO_LONG);
                throw failure("the driver wrote a line longer than " + MAX_LINE + " characters while " + op + " was pending");
            }
            JsonNode r;
            try {
                r = JSON.readTree(line);
            } catch (JacksonException e) {
                throw failure("the driver wrote a line that is not JSON: " + abbreviate(line));
            }
            if (r == null || !r.isObject() || !r.has("id")) {
                throw failure("the driver wrote a reply without an id: " + abbreviate(line));
            }
            long got = r.get("id").isIntegralNumber() ? r.get("id").asLong() : -1;
            if (got == id) {
                reply = r;
            } else if (pending.containsKey(got) && !arrived.containsKey(got)) {
                arrived.put(got, r);
            } else {
                throw failure("reply for id " + abbreviate(r.get("id").toString()) + ", which no pending request has,"
                        + " while waiting for id " + id + ": " + abbreviate(line));
            }
        }
        pending.remove(id);
        if (reply.has("ok")) {
            return reply.get("ok");
        }
        if (reply.has("err") && reply.get("err").isString()) {
            throw new ErrnoReply(reply.get("err").asString());
        }
        if (reply.has("unsupported") && reply.get("unsupported").isString()) {
            throw new UnsupportedReply(abbreviate(reply.get("unsupported").asString()));
        }
        throw failure("a reply is {\"id\":..,\"ok\":..}, {\"id\":..,\"err\":\"ENAME\"} or"
                + " {\"id\":..,\"unsupported\":\"REASON\"}, got " + abbreviate(reply.toString()));
    }

    private String exitCode() {
        try {
            if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
                return " (exit code " + process.exitValue() + ")";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    ImplementationException failure(String what) {
        String err = stderr();
        return new ImplementationException("driver " + label + ": " + what + (err.isBlank() ? "" : "\n  driver stderr:\n    "
                + err.replace("\n", "\n    ")));
    }

    static String abbreviate(String s) {
        return org.sockcheck.harness.trace.TraceText.shorten(s, 200);
    }

    /**
     * Asks the driver to end, then ends it and its process group: at most a
     * second's grace. Whatever the driver started goes too, also when the
     * driver itself exited as asked.
     */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(1, TimeUnit.SECONDS)) {
                kill();
                process.waitFor(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            ProcessGroup.kill(process.pid());
            if (log != null) {
                log.line('#', "ended" + (process.isAlive() ? "" : ", exit code " + process.exitValue()));
                log.close();
            }
        }
    }

    /** Ends the process, its process group and its children without waiting. */
    void kill() {
        ProcessGroup.kill(process.pid());
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** The call the driver has not answered, once a request timed out. */
    private String waiting;

    /**
     * The driver did not answer within the call timeout: the call blocks
     * (the spec judges whether it may), the driver is not at fault.
     */
    static final class NoReply extends Exception {
        NoReply(String why) {
            super(why, null, false, false);
        }
    }

    /** The driver answered that its stack cannot do what the call asks (protocol 2): the run is SKIP. */
    static final class UnsupportedReply extends Exception {
        final String reason;

        UnsupportedReply(String reason) {
            super(reason, null, false, false);
            this.reason = reason;
        }
    }

    /** The driver answered with an errno. */
    static final class ErrnoReply extends Exception {
        final String errno;

        ErrnoReply(String errno) {
            super(errno, null, false, false);
            this.errno = errno;
        }
    }
}
