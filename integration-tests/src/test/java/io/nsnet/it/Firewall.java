package io.nsnet.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host namespace's iptables as iptables-save shows it (filter and nat), read with the variant's own tools
 * so the observer does not share code with the daemon's firewall package.
 */
final class Firewall {
    private static final Pattern COUNTED = Pattern.compile("^\\[(\\d+):(\\d+)\\] (-A .*)$");
    private static final Pattern CHAIN = Pattern.compile("^(:\\S+ \\S+)( \\[\\d+:\\d+\\])?$");

    private final Netns host;
    private final Backend backend;

    Firewall(Netns host, Backend backend) {
        this.host = host;
        this.backend = backend;
    }

    Backend backend() {
        return backend;
    }

    /** Raw {@code iptables-save -c} of filter and nat, for failure reports. */
    String raw() {
        return host.run(backend.save(), "-c", "-t", "filter").out() + host.run(backend.save(), "-c", "-t", "nat").out();
    }

    /**
     * filter then nat, without comments or counters: {@code *table}, {@code :CHAIN POLICY}, {@code -A ...} and
     * {@code COMMIT} lines in save order. Two snapshots are equal iff the rulesets are.
     */
    List<String> save() {
        List<String> lines = new ArrayList<>();
        for (String table : List.of("filter", "nat")) {
            for (String l : host.run(backend.save(), "-t", table).check().out().lines().toList()) {
                if (l.startsWith("#") || l.isBlank()) {
                    continue;
                }
                Matcher m = CHAIN.matcher(l);
                lines.add(m.matches() ? m.group(1) : l);
            }
        }
        return lines;
    }

    /** Only the {@code -A} rules of {@link #save()}, prefixed with their table ("filter -A FORWARD ..."). */
    List<String> rules() {
        List<String> rules = new ArrayList<>();
        String table = "";
        for (String l : save()) {
            if (l.startsWith("*")) {
                table = l.substring(1);
            } else if (l.startsWith("-A ")) {
                rules.add(table + " " + l);
            }
        }
        return rules;
    }

    /** Packet counters per rule, keyed as {@link #rules()}; duplicates of one rule are summed. */
    Map<String, Long> packets() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : List.of("filter", "nat")) {
            for (String l : host.run(backend.save(), "-c", "-t", table).check().out().lines().toList()) {
                Matcher m = COUNTED.matcher(l);
                if (m.matches()) {
                    counts.merge(table + " " + m.group(3), Long.parseLong(m.group(1)), Long::sum);
                }
            }
        }
        return counts;
    }

    /** The policy of a built-in filter chain, e.g. FORWARD's. */
    String policy(String chain) {
        for (String l : save()) {
            if (l.startsWith(":" + chain + " ")) {
                return l.substring(chain.length() + 2);
            }
        }
        return null;
    }

    /** {@code iptables -Z} on filter and nat: the seed zeroes counters before each experiment. */
    void zero() {
        host.run(backend.iptables, "-w", "-t", "filter", "-Z").check();
        host.run(backend.iptables, "-w", "-t", "nat", "-Z").check();
    }

    /** Runs an iptables command in the host namespace (to plant foreign rules). */
    void iptables(String... args) {
        List<String> argv = new ArrayList<>(List.of(backend.iptables, "-w"));
        argv.addAll(List.of(args));
        host.run(argv.toArray(String[]::new)).check();
    }
}
