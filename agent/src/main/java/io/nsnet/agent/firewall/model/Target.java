package io.nsnet.agent.firewall.model;

import java.util.Objects;

/** What a rule does when it matches: the closed set of targets nsnet generates. */
public sealed interface Target {

    /** The target as iptables-save prints it, starting with {@code -j}. */
    String render();

    record Accept() implements Target {
        public String render() {
            return "-j ACCEPT";
        }
    }

    record Drop() implements Target {
        public String render() {
            return "-j DROP";
        }
    }

    record Return() implements Target {
        public String render() {
            return "-j RETURN";
        }
    }

    record Masquerade() implements Target {
        public String render() {
            return "-j MASQUERADE";
        }
    }

    /** A jump to a user-defined chain. */
    record Jump(String chain) implements Target {
        public Jump {
            Objects.requireNonNull(chain, "chain");
            if (chain.isBlank() || chain.contains(" ")) {
                throw new IllegalArgumentException("invalid chain name '" + chain + "'");
            }
        }

        public String render() {
            return "-j " + chain;
        }
    }

    /** {@code -j DNAT --to-destination IP:PORT}. */
    record Dnat(String toDestination) implements Target {
        public Dnat {
            Objects.requireNonNull(toDestination, "toDestination");
        }

        public String render() {
            return "-j DNAT --to-destination " + toDestination;
        }
    }

    Target ACCEPT = new Accept();
    Target DROP = new Drop();
    Target RETURN = new Return();
    Target MASQUERADE = new Masquerade();

    static Target jump(String chain) {
        return new Jump(chain);
    }

    static Target dnat(String toDestination) {
        return new Dnat(toDestination);
    }
}
