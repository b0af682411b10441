package org.sockcheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ./sockcheck without a JDK 25 says what to install and exits 2; the JVM options it starts the jar with. */
class LauncherTest {
    @Test
    void withoutJdk25TheLauncherExplainsAndExitsTwo() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("..", "sockcheck").toString(), "check");
        pb.environment().clear();
        // /usr/bin may hold an older java (17 on CI machines): it must be passed over.
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().put("SOCKCHECK_JVM_DIRS", "/nonexistent");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "launcher did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("needs a JDK 25 or newer"), out);
        assertTrue(out.contains("hint:"), out);
    }

    private static String bash(String script, Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script);
        pb.environment().put("SOCKCHECK", Path.of("..", "sockcheck").toAbsolutePath().toString());
        pb.environment().put("DIR", dir.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "did not finish: " + script);
        return p.exitValue() + "\n" + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void namesThatAreNotAsciiWorkWhateverTheLocaleAndNamesThatAreNotUtf8AreExplained(
            @TempDir Path dir) throws Exception {
        Files.copy(Corpus.SCENARIOS.resolve("bind/bind-gives-local-address.trace"), dir.resolve("caf\u00e9.trace"));
        // In the POSIX locale the JVM could not name the file; the launcher reads names as UTF-8.
        String r = bash("LANG= LC_ALL= \"$SOCKCHECK\" validate \"$DIR/caf\u00e9.trace\"", dir);
        assertTrue(r.startsWith("0\n") && r.contains("1 accepted"), r);
        // A name whose bytes are not UTF-8 cannot be an argument: said so, not "no such file".
        bash("cp \"$DIR/caf\u00e9.trace\" \"$DIR/$(printf 'x\\xe9.trace')\"", dir);
        r = bash("\"$SOCKCHECK\" validate \"$DIR/$(printf 'x\\xe9.trace')\"", dir);
        assertTrue(r.startsWith("2\n") && r.contains("the name is not UTF-8 text"), r);
        assertTrue(!r.contains("no such file") && !r.contains("Exception"), r);
        // Its folder is searched, and the file is found and read.
        r = bash("\"$SOCKCHECK\" validate \"$DIR\"", dir);
        assertTrue(r.startsWith("0\n") && r.contains("2 accepted"), r);
    }

    /**
     * The options the launcher gives the JVM, read from a stand-in JDK 25
     * whose java prints its arguments: C1 alone and the parallel collector
     * with a young generation of 64 MiB for check and validate (the young
     * generation only where the memory the JVM sees is 2 GiB or more, and
     * the user gave no size), both compilers and the JVM's own collector
     * for the long searches, SOCKCHECK_JAVA_OPTS last, a collector the
     * user chose (there or in JAVA_TOOL_OPTIONS) instead of the launcher's.
     */
    @Test
    void checkRunsOnC1AloneTheSearchesOnBothCompilersAndTheUsersOptionsComeLast(@TempDir Path dir)
            throws Exception {
        Path bin = Files.createDirectories(dir.resolve("jdk-25/bin"));
        Files.writeString(dir.resolve("jdk-25/release"), "JAVA_VERSION=\"25.0.3\"\n");
        Path fake = Files.writeString(bin.resolve("java"), "#!/bin/sh\necho \"ARGS $*\"\n");
        assertTrue(fake.toFile().setExecutable(true));
        Path roomy = Files.writeString(dir.resolve("meminfo-24g"), "MemTotal:       24576000 kB\nMemFree:  1 kB\n");
        Path small = Files.writeString(dir.resolve("meminfo-1g"), "MemTotal:        1024000 kB\n");
        Path limit = Files.writeString(dir.resolve("memory.max"), "1073741824\n");
        Path noLimit = Files.writeString(dir.resolve("memory.max-none"), "max\n");
        java.util.function.Function<Map<String, String>, String> launch = env -> {
            try {
                ProcessBuilder pb = new ProcessBuilder("bash", Path.of("..", "sockcheck").toString(), env.get("command"));
                // JAVA_HOME is the launcher's first choice: the stand-in, whatever java PATH has.
                pb.environment().put("JAVA_HOME", dir.resolve("jdk-25").toString());
                pb.environment().put("SOCKCHECK_JVM_DIRS", "/nonexistent");
                pb.environment().put("SOCKCHECK_NO_AOT", "1");
                pb.environment().put("SOCKCHECK_MEMINFO", roomy.toString());
                pb.environment().put("SOCKCHECK_CGROUP_MEMORY", noLimit.toString());
                for (String v : List.of("SOCKCHECK_JAVA_OPTS", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
                    pb.environment().remove(v);
                }
                env.forEach((k, v) -> {
                    if (!k.equals("command")) {
                        pb.environment().put(k, v);
                    }
                });
                pb.redirectErrorStream(true);
                Process p = pb.start();
                assertTrue(p.waitFor(300, TimeUnit.SECONDS), "launcher did not finish");
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, p.exitValue(), out);
                return out.lines().filter(l -> l.startsWith("ARGS ")).findFirst().orElseThrow(() -> new AssertionError(out));
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        };
        String shortOnes = " -XX:TieredStopAtLevel=1 -XX:+UseParallelGC -Xmn64m -Dsockcheck.young=64m ";
        for (String command : List.of("check", "validate", "driver-check")) {
            String args = launch.apply(Map.of("command", command));
            assertTrue(args.contains(shortOnes) && args.endsWith("sockcheck.jar " + command), args);
        }
        for (String command : List.of("model-check", "hunt", "generate")) {
            String args = launch.apply(Map.of("command", command));
            assertTrue(!args.contains("TieredStopAtLevel") && !args.contains("GC") && !args.contains("-Xmn")
                    && args.endsWith("sockcheck.jar " + command), args);
        }
        String args = launch.apply(Map.of("command", "check", "SOCKCHECK_JAVA_OPTS", "-XX:TieredStopAtLevel=4\n -Dsockcheck.x=*"));
        assertTrue(args.contains(shortOnes + "-XX:TieredStopAtLevel=4 -Dsockcheck.x=* --enable-native-access"),
                "the user's options, over lines and not globbed, after the launcher's, so they win: " + args);
        // The young generation only with 2 GiB or more, of the machine and of its cgroup, and no size of the user's.
        for (Map<String, String> env : List.of(
                Map.of("command", "check", "SOCKCHECK_MEMINFO", small.toString()),
                Map.of("command", "check", "SOCKCHECK_CGROUP_MEMORY", limit.toString()),
                Map.of("command", "check", "SOCKCHECK_JAVA_OPTS", "-Xmx64m"),
                Map.of("command", "check", "JDK_JAVA_OPTIONS", "-XX:MaxRAMPercentage=10"))) {
            String a = launch.apply(env);
            assertTrue(a.contains(" -XX:TieredStopAtLevel=1 -XX:+UseParallelGC ") && !a.contains("-Xmn64m")
                    && !a.contains("sockcheck.young"), env + ": " + a);
        }
        // The JVM refuses two collectors: one the user chose replaces the launcher's, and its young generation;
        // a tuning flag of the parallel one is not a choice of collector.
        for (Map<String, String> env : List.of(Map.of("command", "check", "SOCKCHECK_JAVA_OPTS", "-XX:+UseG1GC"),
                Map.of("command", "check", "JAVA_TOOL_OPTIONS", "-XX:+UseSerialGC"))) {
            String a = launch.apply(env);
            assertTrue(a.contains(" -XX:TieredStopAtLevel=1 ") && !a.contains("Parallel") && !a.contains("-Xmn"),
                    env + ": " + a);
        }
        String tuned = launch.apply(Map.of("command", "check", "SOCKCHECK_JAVA_OPTS", "-XX:+UseAdaptiveSizePolicyWithSystemGC"));
        assertTrue(tuned.contains(shortOnes), tuned);
    }

    /**
     * The launcher reads a JDK's version from its release file: a JDK 8
     * ("1.8.0_392") and a JDK 24 are passed over, a JDK 25 whose file says
     * "25-ea" on its last line, without a line break (and CRLF before it),
     * is taken. No java is on
     * PATH, so only these three can be chosen.
     */
    @Test
    void theJdkIsChosenByItsReleaseFile(@TempDir Path dir) throws Exception {
        Path jdks = Files.createDirectories(dir.resolve("jdks"));
        Map<String, String> release = Map.of("jdk-8", "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"1.8.0_392\"\n",
                "jdk-24", "JAVA_VERSION=\"24.0.1\"\n", "jdk-25", "IMPLEMENTOR=\"x\"\r\nJAVA_VERSION=\"25-ea\"");
        for (Map.Entry<String, String> e : release.entrySet()) {
            Path bin = Files.createDirectories(jdks.resolve(e.getKey()).resolve("bin"));
            Files.writeString(jdks.resolve(e.getKey()).resolve("release"), e.getValue());
            Path java = Files.writeString(bin.resolve("java"), "#!/bin/sh\necho \"ARGS " + e.getKey() + "\"\n");
            assertTrue(java.toFile().setExecutable(true));
        }
        // PATH: the tools the launcher uses, and no java.
        Path tools = Files.createDirectories(dir.resolve("tools"));
        for (String t : List.of("dirname", "readlink", "sed", "head", "find", "locale", "cat", "mktemp", "rm", "mv", "sh")) {
            for (String d : List.of("/usr/bin", "/bin")) {
                if (Files.isExecutable(Path.of(d, t)) && !Files.exists(tools.resolve(t))) {
                    Files.createSymbolicLink(tools.resolve(t), Path.of(d, t));
                }
            }
        }
        // SOCKCHECK_PRINT_JAVA: the launcher says which java it chose and stops before it looks at the jar.
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("..", "sockcheck").toAbsolutePath().toString());
        pb.environment().put("SOCKCHECK_PRINT_JAVA", "1");
        pb.environment().put("JAVA_HOME", jdks.resolve("jdk-8").toString());
        pb.environment().put("PATH", tools.toString());
        pb.environment().put("SOCKCHECK_JVM_DIRS", jdks.toString());
        pb.environment().put("SOCKCHECK_NO_AOT", "1");
        pb.environment().remove("SOCKCHECK_JAVA_OPTS");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertEquals(jdks.resolve("jdk-25/bin/java").toString(), out.strip());

        // Without the JDK 25, none fits: the launcher says so (exit 2).
        Files.writeString(jdks.resolve("jdk-25").resolve("release"), "JAVA_VERSION=\"21.0.2\"\n");
        p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
        out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("needs a JDK 25 or newer"), out);

        // A java on PATH outside any JDK's folder (as /usr/bin/java is) is followed to its JDK's release file.
        Files.writeString(jdks.resolve("jdk-25").resolve("release"), "JAVA_VERSION=\"25.0.3\"\n");
        Path linked = Files.createSymbolicLink(tools.resolve("java"), jdks.resolve("jdk-25/bin/java"));
        pb.environment().put("SOCKCHECK_JVM_DIRS", "/nonexistent");
        p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
        out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertEquals(linked.toString(), out.strip());
    }

    /**
     * The start-up cache's training run: ref and linux first, and ref's
     * alone where that fails (linux cannot run: no root, no namespaces).
     * Read from a copy of the launcher beside a stand-in jar, so that the
     * project's own cache is not touched, and a stand-in JDK 25 whose java
     * logs its arguments and writes the cache asked for, unless told that
     * linux fails.
     */
    @Test
    void theStartUpCacheIsTrainedOnRefAndLinuxElseOnRefAlone(@TempDir Path dir) throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.copy(Path.of("..", "sockcheck"), home.resolve("sockcheck"));
        Files.createDirectories(home.resolve("harness/target"));
        Files.writeString(home.resolve("harness/target/sockcheck.jar"), "");
        Path bin = Files.createDirectories(dir.resolve("jdk-25/bin"));
        Files.writeString(dir.resolve("jdk-25/release"), "JAVA_VERSION=\"25.0.3\"\n");
        Path log = dir.resolve("java.log");
        Path fake = Files.writeString(bin.resolve("java"), String.join("\n",
                "#!/bin/bash",
                "echo \"$*\" >> '" + log + "'",
                "for a in \"$@\"; do",
                "  case \"$a\" in -XX:AOTCacheOutput=*)",
                "    case \" $* \" in *' ref,linux '*) [ -n \"${LINUX_FAILS:-}\" ] && exit 1 ;; esac",
                "    echo cache > \"${a#-XX:AOTCacheOutput=}\"; exit 0 ;;",
                "  esac",
                "done",
                "echo \"ARGS $*\"", ""));
        assertTrue(fake.toFile().setExecutable(true));
        for (boolean linuxFails : List.of(false, true)) {
            Files.deleteIfExists(home.resolve("harness/target/sockcheck.aot"));
            Files.deleteIfExists(log);
            ProcessBuilder pb = new ProcessBuilder("bash", home.resolve("sockcheck").toString(), "--version");
            pb.environment().put("JAVA_HOME", dir.resolve("jdk-25").toString());
            pb.environment().put("SOCKCHECK_JVM_DIRS", "/nonexistent");
            pb.environment().remove("SOCKCHECK_NO_AOT");
            pb.environment().remove("SOCKCHECK_JAVA_OPTS");
            if (linuxFails) {
                pb.environment().put("LINUX_FAILS", "1");
            } else {
                pb.environment().remove("LINUX_FAILS");
            }
            pb.redirectErrorStream(true);
            Process p = pb.start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            List<String> trainings = Files.readAllLines(log).stream().filter(l -> l.contains("-XX:AOTCacheOutput=")).toList();
            assertEquals(linuxFails ? 2 : 1, trainings.size(), String.join("\n", trainings));
            assertTrue(trainings.get(0).contains(" --impl ref,linux "), trainings.get(0));
            if (linuxFails) {
                assertTrue(trainings.get(1).contains(" --impl ref "), trainings.get(1));
            }
            assertTrue(out.contains("ARGS -XX:AOTCache=" + home.resolve("harness/target/sockcheck.aot")), out);
            assertTrue(!out.contains("no start-up cache"), out);
        }
    }
}
