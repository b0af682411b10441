package org.sockcheck.harness.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sockcheck.spec.tlc.Manifest;
import org.sockcheck.spec.tlc.ModelCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sockcheck model-check}: TLC on the specification, with progress and a summary. */
@Command(name = "model-check", mixinStandardHelpOptions = true,
        description = "Model-check the TLA+ specification (spec/Sockets.tla) with TLC.")
public final class ModelCheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "MODEL", defaultValue = "small",
            description = "small, standard, liveness, raw, reuse, fourtuple, closing, destinations, threads (the models of spec/manifest.json) or a .cfg FILE for MCSockets."
                    + " Default: ${DEFAULT-VALUE}.")
    String config;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2", description = "TLC worker threads. Default: ${DEFAULT-VALUE}.")
    int workers;

    @Option(names = "--tla2tools", paramLabel = "JAR",
            description = "Use this tla2tools.jar (a newer TLC) instead of the one sockcheck ships.")
    Path tlaTools;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "1800", description = "Stop TLC after this long.")
    long timeout;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (workers < 1) {
            err.println("sockcheck model-check: --workers must be at least 1");
            return Main.BAD_INPUT;
        }
        if (tlaTools != null && !Files.isRegularFile(tlaTools)) {
            err.println("sockcheck model-check: " + tlaTools + ": no such file");
            err.println("  hint: --tla2tools takes the path of a tla2tools.jar");
            return Main.BAD_INPUT;
        }
        Path dir = null;
        try {
            dir = ModelCheck.extractSpec();
            Manifest manifest = Manifest.read(dir.resolve("manifest.json"));
            Manifest.Model model = manifest.models().get(config);
            Path cfg;
            if (model != null) {
                cfg = dir.resolve(model.config());
            } else if (config.endsWith(".cfg") && Files.isRegularFile(Path.of(config))) {
                cfg = Path.of(config).toAbsolutePath();
            } else {
                err.println("sockcheck model-check: unknown model '" + config + "'");
                err.println("  hint: one of " + manifest.models().keySet() + ", or the path of a .cfg file for MCSockets");
                return Main.BAD_INPUT;
            }
            Path jar = tlaTools != null ? tlaTools.toAbsolutePath() : ModelCheck.defaultTlaTools();
            out.printf("sockcheck: model-checking MCSockets with %s (%d workers, TLC from %s)%n", config, workers, jar.getFileName());
            out.flush();
            ModelCheck.Result r = ModelCheck.run(jar, dir, cfg, workers, timeout, p -> {
                out.printf(Locale.ROOT, "  %,d distinct states, %,d states/min, %,d on the queue%n", p.distinct(), p.perMinute(), p.queue());
                out.flush();
            });
            switch (r.status()) {
                case PASS -> out.printf(Locale.ROOT, "PASS: %,d distinct states (%,d generated), depth %d, in %.1f s%n",
                        r.distinct(), r.generated(), r.depth(), r.seconds());
                case VIOLATION -> out.printf("VIOLATION of %s after %.1f s; TLC's counterexample:%n%s%n", r.violated(),
                        r.seconds(), ModelCheck.lastLines(r, 60).orElse(""));
                case ERROR -> out.printf("ERROR: TLC did not finish:%n%s%n", ModelCheck.lastLines(r, 30).orElse(""));
            }
            if (model != null) {
                String drift = Manifest.drift(model, r);
                out.println(drift == null ? "matches spec/manifest.json (" + model.expected() + ", " + model.distinctStates()
                        + " distinct states, depth " + model.depth() + ")" : "does not match spec/manifest.json: " + drift);
                if (drift != null && r.status() == ModelCheck.Status.PASS) {
                    return Main.NONCONFORMANCE;
                }
            }
            return switch (r.status()) {
                case PASS -> Main.OK;
                case VIOLATION -> Main.NONCONFORMANCE;
                case ERROR -> Main.ERROR;
            };
        } catch (IOException e) {
            err.println("sockcheck model-check: " + e.getMessage());
            return Main.ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.ERROR;
        } finally {
            if (dir != null) {
                ModelCheck.deleteTree(dir);
            }
        }
    }
}
