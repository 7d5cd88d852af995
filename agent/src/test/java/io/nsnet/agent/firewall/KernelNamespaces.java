package io.nsnet.agent.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Test-only helper: throwaway namespaces made with {@code ip netns add nst-fw-…} and an independent observer
 * that runs commands in them with {@code ip netns exec NS argv…} (argument arrays, no shell). Never runs
 * anything in the root namespace except {@code ip netns add/del/list}.
 */
final class KernelNamespaces implements AutoCloseable {

    private final List<String> created = new ArrayList<>();

    /** Root, and both iptables variants installed (looked up on PATH: nothing is run in the root namespace). */
    static boolean usable() {
        try {
            return "0".equals(run(List.of("id", "-u")).strip()) && onPath("iptables-nft-restore")
                    && onPath("iptables-legacy-restore") && onPath("ip");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    String create(String tag) {
        String name = "nst-fw-" + tag + "-" + UUID.randomUUID().toString().substring(0, 8);
        run(List.of("ip", "netns", "add", name));
        created.add(name);
        return name;
    }

    /** Runs argv inside the namespace and returns stdout; fails the test on a non-zero exit. */
    static String in(String ns, String... argv) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(argv));
        return run(cmd);
    }

    /** iptables-save output without comment lines and with counters zeroed: what "byte for byte" compares. */
    static String observe(String ns, IptablesVariant v) {
        StringBuilder b = new StringBuilder();
        for (String line : in(ns, v.save()).split("\n", -1)) {
            if (!line.startsWith("#")) {
                b.append(line.replaceAll("\\[\\d+:\\d+\\]$", "[0:0]")).append('\n');
            }
        }
        return b.toString();
    }

    /** Feeds a script to the variant's iptables-restore --noflush inside the namespace (through a file). */
    static void restore(String ns, IptablesVariant v, String script) {
        java.nio.file.Path f;
        try {
            f = java.nio.file.Files.createTempFile("nsnet-restore", ".txt");
            java.nio.file.Files.writeString(f, script);
            in(ns, v.restore(), "--noflush", f.toString());
            java.nio.file.Files.delete(f);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Asserts that a backend's read of the tables equals the iptables-save parser's, chain for chain and rule for
     * rule: a RuleSpec with the same text where the parser has one, a foreign rule where it has one.
     *
     * @return the number of RuleSpecs and of foreign rules compared
     */
    static int[] assertSameAsSave(io.nsnet.agent.firewall.model.Ruleset bySave, io.nsnet.agent.firewall.model.Ruleset byBackend) {
        int specs = 0;
        int foreign = 0;
        for (io.nsnet.agent.firewall.model.TableName t : io.nsnet.agent.firewall.model.TableName.values()) {
            io.nsnet.agent.firewall.model.Table a = bySave.table(t);
            io.nsnet.agent.firewall.model.Table b = byBackend.table(t);
            assertThat(b.chains().keySet()).as("%s chains", t).containsExactlyInAnyOrderElementsOf(a.chains().keySet());
            for (io.nsnet.agent.firewall.model.Chain c : a.chains().values()) {
                io.nsnet.agent.firewall.model.Chain d = b.chain(c.name());
                assertThat(d.policy()).as("%s policy", c.name()).isEqualTo(c.policy());
                assertThat(d.rules()).as("%s %s", t, c.name()).hasSameSizeAs(c.rules());
                for (int i = 0; i < c.rules().size(); i++) {
                    io.nsnet.agent.firewall.model.Rule x = c.rules().get(i);
                    io.nsnet.agent.firewall.model.Rule y = d.rules().get(i);
                    if (x instanceof io.nsnet.agent.firewall.model.RuleSpec) {
                        assertThat(y).as("%s #%d", x.spec(), i).isInstanceOf(io.nsnet.agent.firewall.model.RuleSpec.class);
                        assertThat(y.spec()).isEqualTo(x.spec());
                        specs++;
                    } else {
                        assertThat(y).as("%s #%d", x.spec(), i).isInstanceOf(io.nsnet.agent.firewall.model.ForeignRule.class);
                        foreign++;
                    }
                }
            }
        }
        return new int[] {specs, foreign};
    }

    @Override
    public void close() {
        for (String ns : created) {
            run(List.of("ip", "netns", "del", ns));
        }
        String left = run(List.of("ip", "netns", "list"));
        for (String ns : created) {
            assertThat(left).as("namespace %s must be gone", ns).doesNotContain(ns);
        }
        created.clear();
    }

    static String run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).start();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(argv + " timed out");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(argv + " failed (" + p.exitValue() + "): " + new String(err, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(argv + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
