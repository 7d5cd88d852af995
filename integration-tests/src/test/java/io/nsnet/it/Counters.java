package io.nsnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

/**
 * The seed's method: zero the counters, make traffic, then see which rules counted packets. Rules are named as
 * {@link Firewall#rules()} prints them ("filter -A FORWARD -i docker0 ! -o docker0 -j ACCEPT").
 */
final class Counters {
    private final Map<String, Long> packets;

    private Counters(Map<String, Long> packets) {
        this.packets = packets;
    }

    static Counters read(Firewall fw) {
        return new Counters(fw.packets());
    }

    long of(String rule) {
        Long n = packets.get(rule);
        assertThat(n).as("rule %s exists (rules: %s)", rule, packets.keySet()).isNotNull();
        return n;
    }

    /** Sum over the rules containing {@code fragment}; fails if there is none. */
    long matching(String fragment) {
        assertThat(packets.keySet()).as("rules containing %s", fragment).anyMatch(r -> r.contains(fragment));
        return packets.entrySet().stream().filter(e -> e.getKey().contains(fragment)).mapToLong(Map.Entry::getValue).sum();
    }

    Counters moved(String... rules) {
        for (String r : rules) {
            assertThat(of(r)).as("packets on %s", r).isPositive();
        }
        return this;
    }

    Counters still(String... rules) {
        for (String r : rules) {
            assertThat(of(r)).as("packets on %s", r).isZero();
        }
        return this;
    }

    @Override
    public String toString() {
        return packets.toString();
    }
}
