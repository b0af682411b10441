package org.sockcheck.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When Allure's JVM makes its start-up cache, when it uses it, and that a cache is put in place only when made. */
class AllureStartUpCacheTest {
    @TempDir
    Path dir;

    private static final String JAVA = "/usr/lib/jvm/some-jdk/bin/java";

    private List<String> unpacked() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("allure-2.34.0").resolve("lib"));
        Path a = Files.writeString(lib.resolve("a.jar"), "a");
        Path b = Files.writeString(lib.resolve("b.jar"), "b");
        return List.of(a.toString(), b.toString());
    }

    private AllureHtml.StartUpCache of(List<String> jars, String java) {
        return AllureHtml.StartUpCache.of(dir.resolve("allure-2.34.0"), java, jars, false);
    }

    private static String option(AllureHtml.StartUpCache c) {
        return c.options().stream().filter(o -> o.startsWith("-XX:AOTCache")).findFirst().orElse("none");
    }

    @Test
    void theFirstReportMakesTheCacheAndLaterOnesUseIt() throws Exception {
        List<String> jars = unpacked();
        AllureHtml.StartUpCache first = of(jars, JAVA);
        assertTrue(option(first).startsWith("-XX:AOTCacheOutput=" + dir), option(first));
        assertTrue(first.options().contains("-Xlog:aot*=off"), first.options().toString());

        // Allure wrote the cache where it was told: put in place, with what it was made for.
        Files.writeString(first.making(), "cache");
        first.made();
        first.discardUnmade();
        assertEquals("cache", Files.readString(dir.resolve("allure.aot")));
        String made = Files.readString(dir.resolve("allure.aot.java")).strip();
        assertTrue(made.startsWith(JAVA + " " + System.getProperty("java.vm.version") + " "), made);
        assertTrue(made.endsWith(String.join(":", jars)), made);
        assertFalse(Files.exists(first.making()));

        assertEquals("-XX:AOTCache=" + dir.resolve("allure.aot"), option(of(jars, JAVA)));
    }

    @Test
    void anotherJavaOrAnotherClassPathMakesItAgainAndOffIsNone() throws Exception {
        List<String> jars = unpacked();
        AllureHtml.StartUpCache first = of(jars, JAVA);
        Files.writeString(first.making(), "cache");
        first.made();
        assertEquals("-XX:AOTCache=" + dir.resolve("allure.aot"), option(of(jars, JAVA)));

        assertTrue(option(of(jars, "/opt/other/bin/java")).startsWith("-XX:AOTCacheOutput="), "another java");
        List<String> upgraded = List.of(jars.get(0), jars.get(1).replace("b.jar", "b-2.jar"));
        assertTrue(option(of(upgraded, JAVA)).startsWith("-XX:AOTCacheOutput="), "another Allure's jars");

        Files.delete(dir.resolve("allure.aot.java"));
        assertTrue(option(of(jars, JAVA)).startsWith("-XX:AOTCacheOutput="), "nothing said beside it");

        assertEquals(List.of(), AllureHtml.StartUpCache.of(dir.resolve("allure-2.34.0"), JAVA, jars, true).options());
    }

    @Test
    void aCacheAKilledProcessBeganIsRemovedAndOneInTheMakingIsLeftAlone() throws Exception {
        List<String> jars = unpacked();
        // A pid no process has (above the kernel's pid_max), and this JVM's own.
        Path dead = Files.writeString(dir.resolve(".allure-99999999.aot"), "half");
        Path deadConfig = Files.writeString(dir.resolve(".allure-99999999.aot.config"), "conf");
        Path alive = Files.writeString(dir.resolve(".allure-" + ProcessHandle.current().pid() + ".aot"), "mine");
        Path other = Files.writeString(dir.resolve("allure-notes.txt"), "x");
        of(jars, JAVA);
        assertFalse(Files.exists(dead));
        assertFalse(Files.exists(deadConfig));
        assertTrue(Files.exists(alive));
        assertTrue(Files.exists(other));
    }

    @Test
    void aCacheNotMadeIsNotPutInPlace() throws Exception {
        List<String> jars = unpacked();
        AllureHtml.StartUpCache c = of(jars, JAVA);
        // Allure failed after writing part of it (and its configuration file): both removed, nothing in place.
        Files.writeString(c.making(), "half");
        Files.writeString(Path.of(c.making() + ".config"), "conf");
        c.discardUnmade();
        assertFalse(Files.exists(c.making()));
        assertFalse(Files.exists(Path.of(c.making() + ".config")));
        assertFalse(Files.exists(dir.resolve("allure.aot")));
    }
}
