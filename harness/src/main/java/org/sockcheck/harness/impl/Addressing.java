package org.sockcheck.harness.impl;

import java.util.Map;

/**
 * Where the symbolic names of a trace live on one implementation: each host's
 * IPv4 address and the real port of each port label.
 */
public record Addressing(Map<String, String> hostIps, Map<Integer, Integer> ports) {
}
