package io.nsnet.agent.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NamesTest {

    @Test
    void macIsDerivedFromTheAddressAsDocker() {
        assertThat(MacAddress.fromIpv4(Ipv4.parse("172.17.0.2")).toString()).isEqualTo("02:42:ac:11:00:02");
        assertThat(MacAddress.fromIpv4(Ipv4.parse("10.50.0.255")).toString()).isEqualTo("02:42:0a:32:00:ff");
        assertThat(MacAddress.parse("02:42:AC:11:00:02")).isEqualTo(MacAddress.fromIpv4(Ipv4.parse("172.17.0.2")));
        assertThat(Endpoint.create("mynet", "eth0", "veth0a1b2c3", Ipv4.parse("172.18.0.2")).mac().toString())
                .isEqualTo("02:42:ac:12:00:02");
    }

    @Test
    void bridgeNameIsPrefixPlusIdAndFitsIfnamsiz() {
        String id = "4b5b96ea31b3735608c3e41f92e0469b92f9c41f4eee3cc7ec7efa2eb07e6611";
        String bridge = Names.bridgeNameFor(id);
        assertThat(bridge).isEqualTo("nsn-4b5b96ea31b");
        assertThat(bridge.getBytes(StandardCharsets.UTF_8)).hasSize(15);
    }

    @Test
    void idsAndVethNamesHaveDockersShape() {
        Names names = new Names(new SplittableRandom(42));
        String id = names.newId();
        assertThat(id).matches("[0-9a-f]{64}");
        assertThat(names.newId()).isNotEqualTo(id);
        assertThat(names.newVethName()).matches("veth[0-9a-f]{7}");
        // Same seed, same names: tests and replays are reproducible.
        assertThat(new Names(new SplittableRandom(42)).newId()).isEqualTo(id);
    }

    /** Both digits of every random byte are used, high and low: each position takes all 16 values. */
    @Test
    void everyDigitPositionTakesEveryValue() {
        Names names = new Names(new java.security.SecureRandom());
        java.util.List<java.util.Set<Character>> seen = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            seen.add(new java.util.HashSet<>());
        }
        for (int n = 0; n < 2000; n++) {
            String v = names.newVethName().substring(4);
            for (int i = 0; i < 7; i++) {
                seen.get(i).add(v.charAt(i));
            }
        }
        assertThat(seen).allSatisfy(s -> assertThat(s).hasSize(16));
    }

    @Test
    void netnsNameIsPrefixPlusName() {
        assertThat(Names.netnsNameFor("nsnet-", "web")).isEqualTo("nsnet-web");
        assertThatThrownBy(() -> Names.netnsNameFor("", "web"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("sandbox prefix is empty");
    }

    @Test
    void sandboxInterfaceNamesAreTheLowestFree() {
        Sandbox s = Fixtures.sandbox("a", 1, java.util.List.of(
                Fixtures.endpoint("n2", 1, "10.0.1.2"), Fixtures.endpoint("n1", 0, "10.0.0.2")), java.util.List.of());
        assertThat(s.endpoints()).extracting(Endpoint::ifname).containsExactly("eth0", "eth1");
        assertThat(s.primaryEndpoint().orElseThrow().network()).isEqualTo("n1");
        assertThat(s.nextInterfaceName()).isEqualTo("eth2");
        assertThat(s.withoutEndpoint("n1").nextInterfaceName()).isEqualTo("eth0");
    }
}
