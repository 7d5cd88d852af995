package io.nsnet.agent.firewall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nsnet.agent.firewall.model.Ruleset;
import io.nsnet.agent.firewall.model.SaveFormat;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The applier through the {@link FirewallBackend} seam (as the libiptc backend plugs in), against an in-memory
 * backend built on {@link FakeIptables}: the same golden history, diff-first and failure behaviour as the
 * iptables-restore path, with every read and commit going to the backend and no process at all.
 */
class BackendSeamTest {

    /** Reads and commits on a FakeIptables; counts what the applier asked for. */
    static final class FakeBackend implements FirewallBackend {
        final FakeIptables tables = new FakeIptables();
        final List<String> commits = new ArrayList<>();
        int reads;
        boolean failNext;

        @Override
        public Ruleset readLive() {
            reads++;
            return SaveFormat.parse(tables.save());
        }

        @Override
        public void commit(RestorePlan plan) {
            if (failNext) {
                failNext = false;
                throw new FirewallException("injected failure");
            }
            commits.add(plan.script());
            tables.restore(plan.script());
        }

        @Override
        public String name() {
            return "fake";
        }
    }

    private static FirewallApplier applier(FakeBackend b) {
        return new FirewallApplier(b, IptablesVariant.LEGACY, "DOCKER");
    }

    @Test
    void dockersHistoryThroughABackendMatchesEachCapture() throws Exception {
        FakeBackend b = new FakeBackend();
        FirewallApplier applier = applier(b);
        var states = GoldenTest.steps().collect(java.util.stream.Collectors.toMap(a -> (String) a.get()[0],
                a -> (FirewallState) a.get()[1]));
        for (String step : new String[] {"02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "15"}) {
            applier.applyIncremental(states.get(step));
            assertThat(GoldenTest.significantLines(b.tables.save())).as("after step " + step)
                    .containsExactlyElementsOf(GoldenTest.significantLines(
                            GoldenTest.resource("golden/" + step + "-iptables-nft-save.txt")));
            int commits = b.commits.size();
            assertThat(applier.apply(states.get(step)).changed()).as("re-apply of " + step).isFalse();
            assertThat(b.commits).as("a repeated apply commits nothing").hasSize(commits);
        }
        applier.teardown(List.of());
        assertThat(b.tables.save()).doesNotContain("DOCKER");
        assertThat(applier.backendName()).isEqualTo("fake");
    }

    @Test
    void oneCommitPerChangeAndAFailedCommitIsRetriedFromALiveRead() {
        FakeBackend b = new FakeBackend();
        FirewallApplier applier = applier(b);
        FirewallState one = new FirewallState("DOCKER", true,
                List.of(FirewallState.Network.bridge("docker0", "172.17.0.0/16")), List.of());
        applier.apply(one);
        assertThat(b.commits).hasSize(1);
        FirewallState two = new FirewallState("DOCKER", true, List.of(FirewallState.Network.bridge("docker0", "172.17.0.0/16"),
                FirewallState.Network.bridge("br-x", "172.18.0.0/16")), List.of());
        b.failNext = true;
        int reads = b.reads;
        applier.applyIncremental(two); // the incremental commit fails; the applier re-reads and commits again
        assertThat(b.reads).isGreaterThan(reads);
        assertThat(b.commits).hasSize(2);
        assertThat(b.tables.save()).contains("-A FORWARD -i br-x -o br-x -j ACCEPT");
        b.failNext = true;
        assertThatThrownBy(() -> applier.apply(one)).isInstanceOf(FirewallException.class).hasMessageContaining("injected");
        assertThat(b.tables.save()).contains("br-x");
    }

    @Test
    void policiesGoThroughTheBackendToo() {
        FakeBackend b = new FakeBackend();
        applier(b).setFilterPolicy("FORWARD", "DROP");
        assertThat(b.commits).containsExactly("*filter\n:FORWARD DROP [0:0]\nCOMMIT\n");
        assertThat(RestoreScript.parse(b.commits.get(0)).sections().get(0).commands())
                .containsExactly(new RestoreScript.DeclareChain("FORWARD", "DROP", ":FORWARD DROP [0:0]"));
        assertThat(b.tables.save()).contains(":FORWARD DROP");
    }
}
