package io.nsnet.agent.firewall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Dotted quads as iptables prints them, and everything else refused with the text named. */
class Ipv4PrefixTest {

    @Test
    void parsesAddressesAndPrefixes() {
        assertThat(Ipv4Prefix.parseAddress("0.0.0.0", "x")).isZero();
        assertThat(Ipv4Prefix.parseAddress("255.255.255.255", "x")).isEqualTo(-1);
        assertThat(Ipv4Prefix.parseAddress("10.1.2.3", "x")).isEqualTo(0x0a010203);
        assertThat(Ipv4Prefix.parseAddress("010.001.002.003", "x")).isEqualTo(0x0a010203);
        Ipv4Prefix p = Ipv4Prefix.parse("172.17.0.0/16");
        assertThat(p.contains(Ipv4Prefix.parseAddress("172.17.255.1", "x"))).isTrue();
        assertThat(p.contains(Ipv4Prefix.parseAddress("172.18.0.1", "x"))).isFalse();
        assertThat(Ipv4Prefix.parse("192.0.2.7").length()).isEqualTo(32);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "1.2.3", "1.2.3.", ".1.2.3", "1.2.3.4.", "1.2.3.4.5", "1..2.3", "256.1.1.1",
            "1.2.3.0256", "1.2.3.a", "1.2.3.-1", " 1.2.3.4", "1.2.3.4 ", "1,2.3.4", "\u0661.2.3.4"})
    void refusesWhatIsNotADottedQuad(String text) {
        assertThatThrownBy(() -> Ipv4Prefix.parseAddress(text, "ctx " + text))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ctx " + text);
    }
}
