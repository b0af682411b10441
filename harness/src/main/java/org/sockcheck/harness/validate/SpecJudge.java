package org.sockcheck.harness.validate;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sockcheck.harness.run.Judge;
import org.sockcheck.harness.trace.Trace;
import org.sockcheck.harness.trace.TraceText;
import org.sockcheck.spec.tlc.SpecBridge;

/**
 * The spec as the judge of runs: an observed trace is validated against
 * Sockets.tla (through {@link Validator}). The spec is loaded once, with the
 * constants every trace of the run needs; runs that observed the same trace
 * (every implementation that behaved as written) are validated once.
 */
public final class SpecJudge implements Judge {
    private final Validator validator;
    private final SpecBridge spec;
    private final Map<String, Validator.Result> decided = new HashMap<>();

    private SpecJudge(SpecBridge spec, Duration limit) {
        this.spec = spec;
        this.validator = new Validator(spec).withTimeLimit(limit);
    }

    /**
     * A judge for these traces; empty when none fits the spec's model (then
     * the runner compares with the written results).
     */
    public static Optional<SpecJudge> forTraces(List<Trace> traces, Duration limit) throws IOException {
        List<Trace> fit = new ArrayList<>();
        for (Trace t : traces) {
            if (Models.unfit(t).isEmpty()) {
                fit.add(t);
            }
        }
        if (fit.isEmpty()) {
            return Optional.empty();
        }
        SpecBridge.Constants need = Models.forTraces(fit);
        Optional<SpecBridge> current = SpecBridge.current();
        if (current.isPresent() && covers(current.get().constants(), need)) {
            // One spec per JVM: one loaded already for more names serves as well.
            return Optional.of(new SpecJudge(current.get(), limit));
        }
        return Optional.of(new SpecJudge(SpecBridge.load(need), limit));
    }

    private static boolean covers(SpecBridge.Constants have, SpecBridge.Constants need) {
        return have.hosts().containsAll(need.hosts()) && have.procs().containsAll(need.procs())
                && have.ports().containsAll(need.ports()) && have.data().containsAll(need.data())
                // Models leaves one descriptor spare; the traces' own must be there.
                && have.fds().containsAll(need.fds().subList(0, need.fds().size() - 1))
                && have.profile().equals(need.profile());
    }

    /** A judge on the spec this JVM has loaded already. */
    public static SpecJudge on(SpecBridge spec, Duration limit) {
        return new SpecJudge(spec, limit);
    }

    public SpecBridge spec() {
        return spec;
    }

    @Override
    public Decision decide(Trace observed) {
        Optional<String> unfit = Models.unfit(observed);
        if (unfit.isPresent()) {
            return new Decision.Undecided(unfit.get());
        }
        Optional<String> outside = outsideModel(observed);
        if (outside.isPresent()) {
            return new Decision.Undecided(outside.get());
        }
        Validator.Result r = result(observed);
        if (r.accepted()) {
            return new Decision.Accepted();
        }
        if (r.gaveUp()) {
            return new Decision.Undecided("the spec's search gave up: " + r.allowed());
        }
        return new Decision.Rejected(r.line(), r.allowed(), r.explored(), r.bounded());
    }

    /** The validation of an observed trace (remembered by its profile and events, comments aside). */
    public Validator.Result result(Trace observed) {
        StringBuilder key = new StringBuilder(observed.profile().name());
        observed.events().forEach(e -> key.append('\n').append(TraceText.line(e)));
        return decided.computeIfAbsent(key.toString(), k -> validator.validate(observed));
    }

    /** Hosts, processes and ports the loaded model lacks (a trace run with a spec loaded for others). */
    private Optional<String> outsideModel(Trace t) {
        if (!covers(spec.constants(), Models.forTraces(List.of(t)))) {
            return Optional.of("the spec was loaded for other traces (" + spec.constants() + ")");
        }
        return Optional.empty();
    }
}
