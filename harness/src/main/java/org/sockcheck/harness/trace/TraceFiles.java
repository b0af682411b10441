package org.sockcheck.harness.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Finds and reads trace files: {@code *.trace} (text) and {@code *.jsonl} (JSON Lines). */
public final class TraceFiles {
    private TraceFiles() {
    }

    public static boolean isTrace(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".trace") || n.endsWith(".jsonl");
    }

    /** The trace files under each path (a file or a folder, searched deeply), sorted. */
    public static List<Path> find(List<Path> roots) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path root : roots) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> s = Files.walk(root)) {
                    s.filter(Files::isRegularFile).filter(TraceFiles::isTrace).sorted().forEach(out::add);
                }
            } else if (Files.isRegularFile(root)) {
                out.add(root);
            } else {
                throw new IOException(root + ": no such file or folder");
            }
        }
        return out;
    }

    public static Trace read(Path p) throws IOException, TraceSyntaxException {
        String text;
        try {
            text = Files.readString(p, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new TraceSyntaxException(p.toString(), 1, 1, "UTF-8 text", "bytes that are not UTF-8", null);
        }
        String name = p.toString();
        return name.endsWith(".jsonl") ? TraceJson.parse(name, text) : TraceText.parse(name, text);
    }

    public static void write(Path p, Trace t) {
        try {
            Files.writeString(p, p.toString().endsWith(".jsonl") ? TraceJson.print(t) : TraceText.print(t));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
