package io.nsnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;

/** (a, k) The seed's baseline: what a freshly started daemon puts in the host's filter and nat tables. */
@Tag("kernel")
class BaselineTest {
    @RegisterExtension
    final Lab lab = new Lab();

    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.class)
    void freshDaemonHasExactlyTheSeedsRuleset(Backend backend) {
        lab.start(DaemonOptions.seed().backend(backend));
        JsonNode info = lab.info();
        if (!ItMode.existing()) {
            assertThat(info.get("firewallBackend").asText()).isEqualTo(backend.flag);
            assertThat(info.get("chainPrefix").asText()).isEqualTo("DOCKER");
        } else {
            lab.assumeBackend(backend);
            org.junit.jupiter.api.Assumptions.assumeTrue(lab.api().networkNames().size() == 1,
                    "the existing daemon has networks besides the default one");
        }
        JsonNode bridge = lab.api().network(info.get("defaultNetwork").asText());
        List<String> expected = SeedRuleset.expected(info.get("chainPrefix").asText(), bridge.get("bridge").asText(),
                bridge.get("subnet").asText());
        assertThat(SeedRuleset.ruleCount(expected)).isEqualTo(15);

        List<String> live = lab.firewall().save();
        assertThat(live).as("filter and nat after start, comments and counters stripped")
                .containsExactlyElementsOf(expected);
        // The other variant must be untouched: nsnet never mixes them in one namespace.
        Backend other = backend.iptables.equals("iptables-nft") ? Backend.LEGACY : Backend.NFT;
        assertThat(new Firewall(lab.host(), other).rules()).as("rules in %s", other.save()).isEmpty();

        // The default bridge as the seed shows docker0: up, gateway address, MTU 1500.
        String link = lab.host().ip("-d", "addr", "show", "dev", bridge.get("bridge").asText()).check().out();
        assertThat(link).contains("bridge").contains("mtu 1500").contains("inet " + bridge.get("gateway").asText() + "/16");
        assertThat(lab.host().run("cat", "/proc/sys/net/ipv4/ip_forward").check().out().strip()).isEqualTo("1");
    }
}
