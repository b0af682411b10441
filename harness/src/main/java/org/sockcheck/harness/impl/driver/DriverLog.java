package org.sockcheck.harness.impl.driver;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What one driver process was sent and wrote, for {@code --driver-log}: a
 * line each, {@code >} a request, {@code <} a line of its output, {@code !}
 * a line of its stderr, {@code #} what happened to the process. A line
 * longer than {@link #MAX} characters is cut there and says so. Writing is
 * best effort: a log that cannot be written stops logging, not the run.
 */
final class DriverLog implements AutoCloseable {
    static final int MAX = 64 * 1024;
    private BufferedWriter out;

    DriverLog(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    synchronized void line(char kind, String text) {
        if (out == null) {
            return;
        }
        String shown = text.length() > MAX ? text.substring(0, MAX) + " [cut: " + text.length() + " characters]" : text;
        try {
            out.write(kind + " " + shown + "\n");
            out.flush();
        } catch (IOException e) {
            close();
        }
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                // best effort
            }
            out = null;
        }
    }
}
