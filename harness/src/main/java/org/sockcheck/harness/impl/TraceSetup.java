package org.sockcheck.harness.impl;

import java.time.Duration;
import java.util.List;
import org.sockcheck.spec.Profile;

/**
 * What an implementation needs to know before a trace runs.
 *
 * @param hosts       symbolic host names (A, B, ...)
 * @param processes   processes as HOST.name
 * @param portLabels  the port numbers written in the trace, each to be mapped to a real port
 * @param callTimeout how long one call may take before the implementation is judged hung
 * @param inet6       whether the trace has IPv6 calls ({@link org.sockcheck.spec.ApiCall#inet6}): an INET6
 *                    socket, an IPv6 address, IPV6_V6ONLY
 */
public record TraceSetup(Profile profile, List<String> hosts, List<String> processes, List<Integer> portLabels,
                         Duration callTimeout, boolean inet6) {
    public TraceSetup(Profile profile, List<String> hosts, List<String> processes, List<Integer> portLabels,
                      Duration callTimeout) {
        this(profile, hosts, processes, portLabels, callTimeout, false);
    }
}
