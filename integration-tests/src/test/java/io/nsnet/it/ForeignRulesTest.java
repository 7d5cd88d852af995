package io.nsnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * (j) Rules nsnet did not make survive everything nsnet does: creates, deletes, a restart and a kill -9. Two are
 * planted before the daemon ever starts (FORWARD, nat POSTROUTING), one afterwards in P-USER, the chain Docker
 * leaves to the administrator, where it must stay above the RETURN.
 */
@Tag("kernel")
class ForeignRulesTest {
    @RegisterExtension
    final Lab lab = new Lab();

    private static final String FORWARD = "filter -A FORWARD -s 198.51.100.0/24 -j ACCEPT";
    private static final String POSTROUTING = "nat -A POSTROUTING -s 198.51.100.0/24 -j MASQUERADE";
    private static final String LATE_FORWARD = "filter -A FORWARD -d 198.51.100.9/32 -j DROP";
    private static final String USER = "filter -A DOCKER-USER -s 198.51.100.7/32 -j DROP";

    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.class)
    void foreignRulesSurviveEverything(Backend backend) {
        Lab.requireOwnDaemon("restarts and kills the daemon");
        lab.start(DaemonOptions.seed().backend(backend), () -> {
            lab.firewall().iptables("-A", "FORWARD", "-s", "198.51.100.0/24", "-j", "ACCEPT");
            lab.firewall().iptables("-t", "nat", "-A", "POSTROUTING", "-s", "198.51.100.0/24", "-j", "MASQUERADE");
        });
        check("after start");
        lab.firewall().iptables("-I", "DOCKER-USER", "1", "-s", "198.51.100.7/32", "-j", "DROP");
        lab.firewall().iptables("-A", "FORWARD", "-d", "198.51.100.9/32", "-j", "DROP");
        checkAll("after planting into DOCKER-USER and FORWARD");

        LifecycleTest.populate(lab);
        checkAll("after creating networks and sandboxes");
        lab.api().deleteSandbox("db");
        lab.api().disconnect("back", "web");
        lab.api().deleteNetwork("back");
        checkAll("after deleting a sandbox, a disconnect and deleting a network");
        lab.restart();
        checkAll("after a restart");
        lab.crashAndRestart();
        checkAll("after kill -9 and a restart");
        for (String sb : List.of("web", "app")) {
            lab.api().deleteSandbox(sb);
        }
        lab.api().deleteNetwork("front");
        lab.api().deleteNetwork("quiet");
        checkAll("after removing everything");
    }

    private void check(String when) {
        List<String> rules = lab.firewall().rules();
        assertThat(rules).as(when).contains(FORWARD, POSTROUTING);
        assertThat(rules.stream().filter(r -> r.equals(FORWARD) || r.equals(POSTROUTING)).count())
                .as("each foreign rule once, %s", when).isEqualTo(2);
    }

    private void checkAll(String when) {
        check(when);
        List<String> rules = lab.firewall().rules();
        assertThat(rules).as(when).contains(LATE_FORWARD);
        List<String> user = rules.stream().filter(r -> r.startsWith("filter -A DOCKER-USER ")).toList();
        assertThat(user).as("DOCKER-USER %s: the admin's rule, then nsnet's RETURN", when)
                .containsExactly(USER, "filter -A DOCKER-USER -j RETURN");
        assertThat(rules.stream().filter(r -> r.startsWith("filter -A FORWARD ")).findFirst())
                .as("FORWARD starts with the jump to DOCKER-USER, %s", when).contains("filter -A FORWARD -j DOCKER-USER");
    }
}
