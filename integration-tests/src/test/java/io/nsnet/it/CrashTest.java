package io.nsnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * (i) kill -9 in the middle of a burst of creates, connects and deletes from several clients. After the restart
 * no acknowledged change is lost, nothing is leaked (every bridge, veth, sandbox namespace and rule belongs to an
 * object the API lists), and the rules are what the state implies (a further restart changes nothing).
 */
@Tag("kernel")
class CrashTest {
    @RegisterExtension
    final Lab lab = new Lab();

    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.class)
    void killDuringABurstLosesNothingAcknowledgedAndLeaksNothing(Backend backend) throws Exception {
        Lab.requireOwnDaemon("kills the daemon");
        lab.start(DaemonOptions.seed().backend(backend));
        Burst burst = new Burst(lab.api(), "bridge");
        burst.start(4);
        // Legacy iptables serializes on /run/xtables.lock, shared by every namespace of the machine: on a busy
        // CI host the burst can crawl, so wait up to a minute for it to get going before the kill.
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (burst.acked() < 25 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        lab.note("killing nsnetd after " + burst.acked() + " acknowledged calls");
        long t0 = System.nanoTime();
        lab.daemon().kill();
        burst.join();
        long t1 = System.nanoTime();
        List<Burst.Call> calls = burst.calls();
        lab.note("calls: " + calls);
        System.out.printf("crash %s: %d calls acknowledged, %d cut by the kill; slowest acknowledged: %s%n", backend,
                burst.acked(), calls.stream().filter(c -> c.outcome() == Burst.Outcome.UNKNOWN).count(), burst.slowest());
        // What makes the scenario meaningful: changes were acknowledged, and the kill cut calls in flight.
        assertThat(burst.acked()).as("acknowledged calls before the kill").isPositive();
        assertThat(calls).as("calls cut by the kill").anyMatch(c -> c.outcome() == Burst.Outcome.UNKNOWN);
        assertThat(calls).as("calls answered with an error during the burst").noneMatch(c -> c.outcome() == Burst.Outcome.REFUSED);

        lab.crashAndRestart();
        System.out.printf("crash %s: clients stopped %d ms after the kill; restart took %d ms%n", backend,
                (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
        Api api = lab.api();
        Set<String> networks = new HashSet<>(api.networkNames());
        Map<String, JsonNode> sandboxes = new java.util.HashMap<>();
        api.get("/v1/sandboxes").check().json().forEach(s -> sandboxes.put(s.get("name").asText(), s));

        // No acknowledged change lost.
        for (Burst.Call c : calls) {
            if (c.outcome() != Burst.Outcome.ACKED) {
                continue;
            }
            switch (c.op()) {
                case CREATE_NETWORK -> {
                    if (!attempted(calls, Burst.Op.DELETE_NETWORK, c.target())) {
                        assertThat(networks).as("acknowledged network %s", c.target()).contains(c.target());
                    }
                }
                case CREATE_SANDBOX -> {
                    if (!attempted(calls, Burst.Op.DELETE_SANDBOX, c.target())) {
                        assertThat(sandboxes).as("acknowledged sandbox %s", c.target()).containsKey(c.target());
                    }
                }
                case CONNECT -> {
                    if (!attempted(calls, Burst.Op.DELETE_SANDBOX, c.target())) {
                        assertThat(sandboxes.get(c.target()).get("endpoints").findValuesAsText("network"))
                                .as("acknowledged connect of %s to bridge", c.target()).contains("bridge");
                    }
                }
                case DELETE_SANDBOX -> assertThat(sandboxes).as("acknowledged delete of %s", c.target()).doesNotContainKey(c.target());
                case DELETE_NETWORK -> assertThat(networks).as("acknowledged delete of %s", c.target()).doesNotContain(c.target());
                default -> throw new IllegalStateException();
            }
        }

        // Nothing leaked, nothing half-made: the kernel holds exactly what the API lists.
        assertKernelMatchesApi(sandboxes, networks);

        // The rules are what this state implies: another restart (a fresh reconcile) changes nothing.
        List<String> afterCrash = lab.firewall().save();
        lab.restart();
        assertThat(lab.firewall().save()).as("iptables-save after a second restart").containsExactlyElementsOf(afterCrash);
        assertKernelMatchesApi(sandboxes, networks);

        // And it still works.
        lab.api().createSandbox(Map.of("name", "after"));
        assertThat(Probe.ping(lab.sandbox("after"), Lab.WAN_IP, 2)).as("a new sandbox pings out").isTrue();
    }

    private List<String> spareVeths() {
        List<String> all = new ArrayList<>(lab.host().everyLink("veth"));
        all.removeAll(lab.host().links("veth"));
        return all;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A delete was acknowledged or cut by the kill (it may have taken effect): the object may be gone. */
    private static boolean attempted(List<Burst.Call> calls, Burst.Op op, String target) {
        return calls.stream().anyMatch(c -> c.op() == op && c.target().equals(target) && c.outcome() != Burst.Outcome.REFUSED);
    }

    private void assertKernelMatchesApi(Map<String, JsonNode> sandboxes, Set<String> networks) {
        Set<String> bridges = new HashSet<>();
        Set<String> veths = new HashSet<>();
        Set<String> netns = new HashSet<>();
        for (String n : networks) {
            bridges.add(lab.api().network(n).get("bridge").asText());
        }
        Set<String> addresses = new HashSet<>();
        for (JsonNode s : sandboxes.values()) {
            netns.add(s.get("netns").asText());
            for (JsonNode e : s.get("endpoints")) {
                // Concurrent creates and connects must never hand out one address twice.
                assertThat(addresses.add(e.get("ip").asText())).as("address %s given once", e.get("ip").asText()).isTrue();
            }
            for (JsonNode e : s.get("endpoints")) {
                veths.add(e.get("hostVeth").asText());
                // Inside the sandbox: the interface with the address the API reports.
                String addrs = new Netns(s.get("netns").asText()).ip("-o", "-4", "addr", "show", "dev", e.get("ifname").asText())
                        .check().out();
                assertThat(addrs).as("%s in %s", e.get("ifname").asText(), s.get("name").asText()).contains(e.get("ip").asText());
            }
        }
        assertThat(new HashSet<>(lab.host().links("bridge"))).as("bridges in the host").isEqualTo(bridges);
        List<String> hostVeths = new ArrayList<>(lab.host().links("veth"));
        hostVeths.remove("nstw" + lab.id());
        assertThat(new HashSet<>(hostVeths)).as("veths in the host").isEqualTo(veths);
        // The veth made ahead with the spare namespace: at most the running daemon's own. The killed daemon's went with
        // its namespace, which the kernel tears down in the background once the process is gone.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        List<String> spares = spareVeths();
        while (spares.size() > 1 && System.nanoTime() < deadline) {
            sleep(50);
            spares = spareVeths();
        }
        assertThat(spares).as("veths made ahead (alias %s) in the host", Netns.SPARE_ALIAS).hasSizeLessThanOrEqualTo(1);
        assertThat(new HashSet<>(Netns.named(lab.sandboxPrefix()))).as("sandbox namespaces").isEqualTo(netns);
        // Every bridge named in a rule exists (no rules for objects that are gone), and every bridge has rules.
        List<String> rules = lab.firewall().rules();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-[io] (\\S+)").matcher(String.join("\n", rules));
        Set<String> named = new HashSet<>();
        while (m.find()) {
            named.add(m.group(1));
        }
        named.remove("lo");
        assertThat(named).as("interfaces named in rules").isEqualTo(bridges);
    }
}
