package org.sockcheck.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
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
        Files.setLastModifiedTime(a, FileTime.fromMillis(1_000_000));
        Files.setLastModifiedTime(b, FileTime.fromMillis(1_000_000));
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

        // Allure wrote the cache where it was told: put in place, with the java that made it.
        Files.writeString(first.making(), "cache");
        first.made();
        first.discardUnmade();
        assertEquals("cache", Files.readString(dir.resolve("allure.aot")));
        assertEquals(JAVA, Files.readString(dir.resolve("allure.aot.java")).strip());
        assertFalse(Files.exists(first.making()));

        assertEquals("-XX:AOTCache=" + dir.resolve("allure.aot"), option(of(jars, JAVA)));
    }

    @Test
    void anotherJavaOrANewerJarMakesItAgainAndOffIsNone() throws Exception {
        List<String> jars = unpacked();
        Files.writeString(dir.resolve("allure.aot"), "cache");
        Files.writeString(dir.resolve("allure.aot.java"), JAVA + "\n");
        assertEquals("-XX:AOTCache=" + dir.resolve("allure.aot"), option(of(jars, JAVA)));

        assertTrue(option(of(jars, "/opt/other/bin/java")).startsWith("-XX:AOTCacheOutput="));
        Files.setLastModifiedTime(Path.of(jars.get(1)), FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertTrue(option(of(jars, JAVA)).startsWith("-XX:AOTCacheOutput="), "a jar newer than the cache");

        Files.delete(dir.resolve("allure.aot.java"));
        assertTrue(option(of(jars, JAVA)).startsWith("-XX:AOTCacheOutput="), "no java said beside it");

        assertEquals(List.of(), AllureHtml.StartUpCache.of(dir.resolve("allure-2.34.0"), JAVA, jars, true).options());
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
