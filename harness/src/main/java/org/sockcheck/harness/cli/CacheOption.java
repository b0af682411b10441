package org.sockcheck.harness.cli;

import org.sockcheck.harness.validate.VerdictCache;
import picocli.CommandLine.Option;

/** Whether the commands that judge traces read and keep the spec's verdicts of earlier runs (check, validate). */
final class CacheOption {
    @Option(names = "--no-cache", description = "Judge every trace with the spec, neither reading nor keeping verdicts"
            + " of earlier runs (kept in $SOCKCHECK_CACHE, else $XDG_CACHE_HOME/sockcheck or ~/.cache/sockcheck;"
            + " SOCKCHECK_CACHE=off turns the cache off too).")
    boolean noCache;

    /** The cache these options and the environment name. */
    VerdictCache cache() {
        return noCache ? VerdictCache.off() : VerdictCache.fromEnvironment();
    }
}
