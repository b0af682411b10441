package org.sockcheck.harness.trace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds and reads trace files: {@code *.trace} (text) and {@code *.jsonl} (JSON Lines). */
public final class TraceFiles {
    private TraceFiles() {
    }

    public static boolean isTrace(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".trace") || n.endsWith(".jsonl");
    }

    /** The largest trace file read: a bigger one is refused before it is read (memory stays bounded). */
    public static final long MAX_BYTES = 64L << 20;

    /**
     * The trace files under each path (a file or a folder, searched deeply,
     * symbolic links not followed), sorted.
     *
     * @throws IOException naming every path that cannot be searched, and why
     */
    public static List<Path> find(List<Path> roots) throws IOException {
        List<Path> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path root : roots) {
            if (Files.isDirectory(root)) {
                List<Path> found = new ArrayList<>();
                Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
                    @Override
                    public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) {
                        if (a.isRegularFile() && isTrace(file)) {
                            found.add(file);
                        }
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }

                    @Override
                    public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                        problems.add(file + ": cannot read: " + why(e));
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }
                });
                found.stream().sorted().forEach(out::add);
            } else if (Files.isRegularFile(root)) {
                out.add(root);
            } else if (Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                problems.add(root + (Files.isSymbolicLink(root) ? ": a symbolic link that leads nowhere (a loop or a missing"
                        + " target)" : ": not a file or a folder (a fifo, a device or a socket)"));
            } else {
                problems.add(root + ": no such file or folder");
            }
        }
        if (!problems.isEmpty()) {
            throw new IOException(String.join("\n", problems));
        }
        return out;
    }

    /** Why a file could not be read, in words (not the name of a Java exception). */
    public static String why(IOException e) {
        return switch (e) {
            case java.nio.file.AccessDeniedException a -> "permission denied";
            case java.nio.file.NoSuchFileException n -> "no such file";
            case java.nio.file.FileSystemLoopException l -> "a loop of symbolic links";
            case java.nio.file.NotDirectoryException n -> "not a folder";
            case java.nio.file.FileAlreadyExistsException f -> "a file of that name is in the way";
            default -> e.getMessage() == null ? "an input/output error" : e.getMessage();
        };
    }

    public static Trace read(Path p) throws IOException, TraceSyntaxException {
        return read(p, MAX_BYTES);
    }

    /** Reads a trace file of at most maxBytes (a larger one is refused before it is read). */
    public static Trace read(Path p, long maxBytes) throws IOException, TraceSyntaxException {
        long size = Files.size(p);
        if (size > maxBytes) {
            throw new TraceSyntaxException(p.toString(), 1, 1, "a trace of at most " + (maxBytes >> 20) + " MiB",
                    size + " bytes", "give --max-trace-mib N to allow more, or split it into traces of their own");
        }
        String text = utf8(p.toString(), Files.readAllBytes(p));
        String name = p.toString();
        return name.endsWith(".jsonl") ? TraceJson.parse(name, text) : TraceText.parse(name, text);
    }

    /**
     * The bytes of a file as UTF-8 text; bytes that are not UTF-8 are an
     * error at the line and column of the first of them, with the byte shown.
     */
    public static String utf8(String source, byte[] bytes) throws TraceSyntaxException {
        java.nio.charset.CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
        if (!d.decode(in, out, true).isError() && !d.flush(out).isError()) {
            return out.flip().toString();
        }
        // The decoder stopped at the first bad byte: what came before gives its line and column.
        String before = out.flip().toString();
        int line = 1 + (int) before.chars().filter(c -> c == '\n').count();
        int column = before.length() - before.lastIndexOf('\n');
        throw new TraceSyntaxException(source, line, column, "UTF-8 text",
                String.format("the byte 0x%02x, which is not UTF-8", bytes[in.position()] & 0xff),
                "save the file as UTF-8; in a trace, bytes of data are written as \\xHH escapes");
    }

    public static void write(Path p, Trace t) {
        try {
            Files.writeString(p, p.toString().endsWith(".jsonl") ? TraceJson.print(t) : TraceText.print(t));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
