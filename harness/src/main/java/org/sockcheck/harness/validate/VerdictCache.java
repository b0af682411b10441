package org.sockcheck.harness.validate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.sockcheck.harness.run.Witnessed;
import org.sockcheck.spec.tlc.ModelCheck;
import org.sockcheck.spec.tlc.SpecBridge;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * The spec's verdicts of earlier runs, on disk: a trace judged once, by the
 * same spec and the same sockcheck, is not searched again, and a run whose
 * traces all were judged before does not load TLC at all.
 *
 * <p>An entry is one small JSON file named by the SHA-256 of what the verdict
 * depends on: this cache's format, the spec's TLA+ modules as sockcheck
 * holds them, the code that judges (the bytes of the jar or class folders
 * sockcheck, the spec bridge and TLC are loaded from, so a rebuild with any
 * change judges anew), whether timers fire, and the trace (its profile and
 * every event with its line). The model's constants are not in it: a model
 * that covers a trace gives the verdict any other covering model gives
 * (docs/performance.md tells how that was checked).
 *
 * <p>Kept are acceptances, and rejections by a search that did not reach its
 * bound ({@link SpecVerdict#lasting}); never a trace the spec could not
 * decide. An entry is written to a file of its own and renamed into place, so
 * sockcheck processes that run at once share the folder safely; an entry
 * that cannot be read, or does not hold what it should, is ignored and
 * deleted. The folder is kept under {@link #MAX_ENTRIES} entries and
 * {@link #MAX_BYTES} bytes, the least recently used going first.
 */
public final class VerdictCache {
    /** The format of an entry: what the key and the file hold. A change of either changes it. */
    static final int FORMAT = 1;
    /** An entry larger than this is neither written nor read. */
    public static final int MAX_ENTRY_BYTES = 1 << 20;
    public static final int MAX_ENTRIES = 20_000;
    public static final long MAX_BYTES = 200L << 20;
    /** What turns the cache off, as SOCKCHECK_CACHE or the system property sockcheck.cache. */
    public static final String OFF = "off";
    private static final String TEMP_PREFIX = ".tmp-";
    private static final JsonFactory JSON = new JsonFactory();

    /** The folder of the entries; null when the cache is off. */
    private final Path folder;
    private final int maxEntries;
    private final long maxBytes;
    private final AtomicInteger written = new AtomicInteger();

    private VerdictCache(Path folder, int maxEntries, long maxBytes) {
        this.folder = folder;
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /** No cache: every trace is judged by the spec. */
    public static VerdictCache off() {
        return new VerdictCache(null, 0, 0);
    }

    /** The cache whose entries are in base/verdicts. */
    public static VerdictCache in(Path base) {
        return in(base, MAX_ENTRIES, MAX_BYTES);
    }

    /** The cache in base/verdicts, kept under these bounds. */
    public static VerdictCache in(Path base, int maxEntries, long maxBytes) {
        return new VerdictCache(base.resolve("verdicts"), maxEntries, maxBytes);
    }

    /**
     * The cache the environment names: the system property sockcheck.cache,
     * else SOCKCHECK_CACHE (a folder, or "off"), else
     * $XDG_CACHE_HOME/sockcheck, else ~/.cache/sockcheck.
     */
    public static VerdictCache fromEnvironment() {
        String named = System.getProperty("sockcheck.cache");
        if (named == null || named.isBlank()) {
            named = System.getenv("SOCKCHECK_CACHE");
        }
        if (named != null && !named.isBlank()) {
            return named.trim().equalsIgnoreCase(OFF) ? off() : in(Path.of(named));
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".cache");
        return in(base.resolve("sockcheck"));
    }

    /**
     * Starts finding what judges (the spec's modules and the code, hashed),
     * beside whatever the caller does next (reading the traces), so that the
     * first verdict read need not wait for it.
     */
    public VerdictCache prepare() {
        if (folder != null) {
            Thread.ofPlatform().daemon().name("sockcheck-verdict-cache").start(() -> Code.IDENTITY.isPresent());
        }
        return this;
    }

    public boolean enabled() {
        return folder != null && Code.IDENTITY.isPresent();
    }

    /** The folder of the entries (empty when the cache is off). */
    public Optional<Path> folder() {
        return Optional.ofNullable(folder);
    }

    @Override
    public String toString() {
        return folder == null ? "the verdict cache (off)" : "the verdict cache in " + folder;
    }

    /**
     * The verdict kept for this trace, if any. A file that is too large, not
     * JSON, of another format or key, or holds a verdict that is not to be
     * kept, is deleted and taken as absent.
     *
     * @param trace the trace as {@link SpecJudge} remembers it: its profile and its events with their lines
     */
    Optional<SpecVerdict> read(String trace, boolean timers) {
        if (!enabled()) {
            return Optional.empty();
        }
        String key = key(trace, timers);
        Path file = folder.resolve(key + ".json");
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_ENTRY_BYTES + 1);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            // Something else where the entry goes is thrown out; a file this process cannot read now (no
            // permission, too many open files) may be another's good entry, and is left alone.
            if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                discard(file);
            }
            return Optional.empty();
        }
        try {
            if (bytes.length > MAX_ENTRY_BYTES) {
                throw new IllegalArgumentException("larger than " + MAX_ENTRY_BYTES + " bytes");
            }
            SpecVerdict v = decode(parse(bytes), key);
            try {
                // Used now: the folder's bound drops the entries least recently used first.
                Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
            } catch (IOException | RuntimeException e) {
                // another process pruned it meanwhile: the verdict read stands
            }
            return Optional.of(v);
        } catch (JacksonException | IllegalArgumentException | NullPointerException | ClassCastException e) {
            discard(file);
            return Optional.empty();
        }
    }

    /**
     * Keeps this verdict, when it is one to keep and its entry is of a
     * reasonable size; a folder that cannot be written to is left alone (the
     * verdict stands, it is just not kept).
     */
    void write(String trace, boolean timers, SpecVerdict v) {
        if (!enabled() || !v.lasting() || v.cached()) {
            return;
        }
        String key = key(trace, timers);
        byte[] bytes;
        try {
            bytes = encode(v, key);
        } catch (IllegalArgumentException | JacksonException e) {
            return; // a binding that is not plain data: this verdict is not kept
        }
        if (bytes.length > MAX_ENTRY_BYTES) {
            return;
        }
        Path temp = null;
        try {
            Files.createDirectories(folder);
            temp = Files.createTempFile(folder, TEMP_PREFIX, ".json");
            Files.write(temp, bytes);
            Files.move(temp, folder.resolve(key + ".json"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            temp = null;
        } catch (IOException | RuntimeException e) {
            // not kept
        } finally {
            if (temp != null) {
                discard(temp);
            }
        }
        // Pruned at the first entry a process writes, and again every tenth of the bound.
        if (written.getAndIncrement() % Math.max(1, maxEntries / 10) == 0) {
            prune();
        }
    }

    /**
     * Brings the folder under its bounds: when it holds more than the most
     * entries or bytes, the entries least recently used are deleted until it
     * holds nine tenths of them. Files a process left half-written (it was
     * killed between writing and renaming) go when they are an hour old.
     */
    public void prune() {
        if (folder == null || !Files.isDirectory(folder)) {
            return;
        }
        record Entry(Path file, long used, long size) {
        }
        List<Entry> entries = new ArrayList<>();
        long bytes = 0;
        long hourAgo = System.currentTimeMillis() - 3_600_000;
        try (var all = Files.newDirectoryStream(folder)) {
            for (Path f : all) {
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(f, BasicFileAttributes.class);
                } catch (IOException e) {
                    continue; // gone meanwhile
                }
                if (!a.isRegularFile()) {
                    continue;
                }
                if (f.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    if (a.lastModifiedTime().toMillis() < hourAgo) {
                        discard(f);
                    }
                    continue;
                }
                entries.add(new Entry(f, a.lastModifiedTime().toMillis(), a.size()));
                bytes += a.size();
            }
        } catch (IOException | UncheckedIOException e) {
            return;
        }
        if (entries.size() <= maxEntries && bytes <= maxBytes) {
            return;
        }
        entries.sort(Comparator.comparingLong(Entry::used));
        int left = entries.size();
        for (Entry e : entries) {
            if (left <= maxEntries * 9L / 10 && bytes <= maxBytes * 9 / 10) {
                break;
            }
            discard(e.file());
            left--;
            bytes -= e.size();
        }
    }

    private static void discard(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException | RuntimeException e) {
            // another process's, or not ours to delete: it is ignored all the same
        }
    }

    /** The entry's name: what the verdict depends on, hashed (see the class comment). */
    String key(String trace, boolean timers) {
        MessageDigest d = sha256();
        d.update(("sockcheck verdict " + FORMAT + "\n" + Code.IDENTITY.orElseThrow() + "\ntimers " + timers + "\n")
                .getBytes(StandardCharsets.UTF_8));
        d.update(trace.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What judges, as a hash: the spec's modules, and the bytes of where the
     * classes of sockcheck's judge, of the spec bridge and of TLC come from
     * (the one jar of sockcheck, or in a build the class folders and TLC's
     * jar). Empty when a place cannot be read: the cache is then off, since
     * a verdict could not be told from one of other code.
     */
    static final class Code {
        static final Optional<String> IDENTITY = identity();

        private Code() {
        }

        private static Optional<String> identity() {
            MessageDigest d = sha256();
            try {
                for (String f : ModelCheck.FILES) {
                    if (!f.endsWith(".tla")) {
                        continue;
                    }
                    try (InputStream in = SpecBridge.class.getResourceAsStream("/tla/" + f)) {
                        if (in == null) {
                            return Optional.empty();
                        }
                        byte[] text = in.readAllBytes();
                        d.update((f + " " + text.length + "\n").getBytes(StandardCharsets.UTF_8));
                        d.update(text);
                    }
                }
                Set<Path> places = new LinkedHashSet<>();
                for (Class<?> c : List.of(SpecJudge.class, SpecBridge.class,
                        Class.forName("tlc2.TLCGlobals", false, SpecBridge.class.getClassLoader()))) {
                    var source = c.getProtectionDomain().getCodeSource();
                    if (source == null || source.getLocation() == null) {
                        return Optional.empty();
                    }
                    places.add(Path.of(source.getLocation().toURI()));
                }
                for (Path p : places) {
                    hash(d, p);
                }
            } catch (IOException | URISyntaxException | ClassNotFoundException | RuntimeException e) {
                return Optional.empty();
            }
            return Optional.of(HexFormat.of().formatHex(d.digest()));
        }

        /**
         * A jar's entries (each name with the CRC-32 and size its index
         * gives: a change of any class changes them, and reading them costs
         * little, where hashing the jar's bytes in a JVM just started took
         * half a second), or every file of a class folder with its path and
         * bytes, in the order of the paths.
         */
        private static void hash(MessageDigest d, Path place) throws IOException {
            if (Files.isRegularFile(place)) {
                try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(place.toFile())) {
                    StringBuilder index = new StringBuilder("jar " + jar.size() + "\n");
                    jar.stream().forEach(e -> index.append(e.getName()).append(' ').append(e.getCrc()).append(' ')
                            .append(e.getSize()).append('\n'));
                    d.update(index.toString().getBytes(StandardCharsets.UTF_8));
                }
                return;
            }
            List<Path> files;
            try (var walk = Files.walk(place)) {
                files = walk.filter(Files::isRegularFile).sorted(Comparator.comparing(f -> place.relativize(f).toString()))
                        .toList();
            }
            d.update(("folder " + files.size() + "\n").getBytes(StandardCharsets.UTF_8));
            for (Path f : files) {
                byte[] b = Files.readAllBytes(f);
                d.update((place.relativize(f) + " " + b.length + "\n").getBytes(StandardCharsets.UTF_8));
                d.update(b);
            }
        }
    }

    /** An entry: the verdict, with its key and this cache's format. */
    private static byte[] encode(SpecVerdict v, String key) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(1024);
        try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), bytes)) {
            g.writeStartObject();
            g.writeNumberProperty("format", FORMAT);
            g.writeStringProperty("key", key);
            g.writeStringProperty("kind", v.kind().name());
            g.writeNumberProperty("line", v.line());
            g.writeStringProperty("event", v.event());
            g.writeStringProperty("allowed", v.allowed());
            g.writeNumberProperty("explored", v.explored());
            g.writeBooleanProperty("bounded", v.bounded());
            g.writeName("bindings");
            plain(g, v.bindings());
            g.writeName("witnessed");
            g.writeStartArray();
            for (Witnessed w : v.witnessed()) {
                g.writeStartObject();
                switch (w) {
                    case Witnessed.Called c -> g.writeNumberProperty("called", c.event());
                    case Witnessed.Returned r -> g.writeNumberProperty("returned", r.event());
                    case Witnessed.Segment s -> {
                        g.writeName("segment");
                        g.writeStartObject();
                        g.writeStringProperty("from", s.fromHost());
                        g.writeStringProperty("to", s.toHost());
                        g.writeStringProperty("label", s.label());
                        g.writeBooleanProperty("lost", s.lost());
                        g.writeEndObject();
                    }
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeName("actions");
            plain(g, List.copyOf(v.actions()));
            g.writeName("transitions");
            plain(g, List.copyOf(v.transitions()));
            g.writeEndObject();
        }
        return bytes.toByteArray();
    }

    /** A binding's value as JSON: numbers, strings, truth values, lists and records of them. */
    private static void plain(JsonGenerator g, Object value) {
        switch (value) {
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case List<?> l -> {
                g.writeStartArray();
                l.forEach(x -> plain(g, x));
                g.writeEndArray();
            }
            case Map<?, ?> m -> {
                g.writeStartObject();
                m.forEach((k, x) -> {
                    if (!(k instanceof String name)) {
                        throw new IllegalArgumentException("a record with a key that is not a name: " + k);
                    }
                    g.writeName(name);
                    plain(g, x);
                });
                g.writeEndObject();
            }
            case null, default -> throw new IllegalArgumentException("not plain data: " + value);
        }
    }

    /**
     * An entry's JSON as plain values (records as maps, lists, strings,
     * ints, longs, truth values). Read with Jackson's parser alone: its
     * object mapper took a third of a second to start, more than reading
     * every entry of the corpus.
     */
    private static Object parse(byte[] bytes) {
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), bytes)) {
            p.nextToken();
            Object v = value(p);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("more after the entry");
            }
            return v;
        }
    }

    private static Object value(JsonParser p) {
        JsonToken t = p.currentToken();
        if (t == null) {
            throw new IllegalArgumentException("no value");
        }
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, value(p));
                }
                return java.util.Collections.unmodifiableMap(m);
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                return java.util.Collections.unmodifiableList(l);
            }
            case VALUE_STRING -> {
                return p.getString();
            }
            case VALUE_NUMBER_INT -> {
                return switch (p.getNumberType()) {
                    case INT -> p.getIntValue();
                    case LONG -> p.getLongValue();
                    default -> throw new IllegalArgumentException("a number larger than sockcheck writes");
                };
            }
            case VALUE_TRUE -> {
                return true;
            }
            case VALUE_FALSE -> {
                return false;
            }
            default -> throw new IllegalArgumentException("not a value sockcheck writes: " + t);
        }
    }

    private static SpecVerdict decode(Object entry, String key) {
        Map<?, ?> o = record(entry, "the entry");
        if (number(o, "format") != FORMAT || !key.equals(text(o, "key"))) {
            throw new IllegalArgumentException("an entry of another format or key");
        }
        Validator.Kind kind = Validator.Kind.valueOf(text(o, "kind"));
        Map<String, Object> bindings = new LinkedHashMap<>();
        record(o.get("bindings"), "bindings").forEach((name, value) -> bindings.put((String) name, value));
        List<Witnessed> witnessed = new ArrayList<>();
        for (Object x : list(o, "witnessed")) {
            Map<?, ?> w = record(x, "a step");
            if (w.containsKey("called")) {
                witnessed.add(new Witnessed.Called(number(w, "called")));
            } else if (w.containsKey("returned")) {
                witnessed.add(new Witnessed.Returned(number(w, "returned")));
            } else {
                Map<?, ?> s = record(w.get("segment"), "a segment");
                witnessed.add(new Witnessed.Segment(text(s, "from"), text(s, "to"), text(s, "label"), truth(s, "lost")));
            }
        }
        SpecVerdict v = new SpecVerdict(kind, number(o, "line"), text(o, "event"), text(o, "allowed"), number(o, "explored"),
                truth(o, "bounded"), bindings, witnessed, names(o, "actions"), names(o, "transitions"), true);
        if (!v.lasting()) {
            throw new IllegalArgumentException("a verdict that is not kept");
        }
        return v;
    }

    private static Map<?, ?> record(Object x, String what) {
        if (!(x instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(what + " is not a record");
        }
        return m;
    }

    private static List<?> list(Map<?, ?> o, String name) {
        if (!(o.get(name) instanceof List<?> l)) {
            throw new IllegalArgumentException(name + " is not a list");
        }
        return l;
    }

    private static String text(Map<?, ?> o, String name) {
        if (!(o.get(name) instanceof String s)) {
            throw new IllegalArgumentException(name + " is not a string");
        }
        return s;
    }

    private static int number(Map<?, ?> o, String name) {
        if (!(o.get(name) instanceof Integer i)) {
            throw new IllegalArgumentException(name + " is not a number");
        }
        return i;
    }

    private static boolean truth(Map<?, ?> o, String name) {
        if (!(o.get(name) instanceof Boolean b)) {
            throw new IllegalArgumentException(name + " is not true or false");
        }
        return b;
    }

    private static TreeSet<String> names(Map<?, ?> o, String name) {
        TreeSet<String> out = new TreeSet<>();
        for (Object x : list(o, name)) {
            if (!(x instanceof String s)) {
                throw new IllegalArgumentException(name + " holds something other than names");
            }
            out.add(s);
        }
        return out;
    }
}
