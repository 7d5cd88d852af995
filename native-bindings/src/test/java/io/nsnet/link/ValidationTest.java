package io.nsnet.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.nsnet.addr.IpPrefix;

class ValidationTest {
    @Test
    void interfaceNames() {
        assertThat(IfName.validate("fifteen-bytes-x")).hasSize(15);
        assertThatThrownBy(() -> IfName.validate("sixteen-bytes-xy")).hasMessageContaining("16 bytes");
        assertThatThrownBy(() -> IfName.validate("a/b")).hasMessageContaining("'/'");
        assertThatThrownBy(() -> IfName.validate("a b")).hasMessageContaining("whitespace");
        assertThatThrownBy(() -> IfName.validate("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> IfName.validate("ééééééééé")).hasMessageContaining("18 bytes");
    }

    @Test
    void prefixesAndMacs() {
        assertThat(IpPrefix.parse("10.1.2.3/8").prefixLength()).isEqualTo(8);
        assertThat(IpPrefix.parse("fd00::1").prefixLength()).isEqualTo(128);
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.300/8")).hasMessageContaining("300 > 255");
        assertThatThrownBy(() -> IpPrefix.parse("example.com")).hasMessageContaining("not an IPv4 or IPv6");
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.0/33")).hasMessageContaining("0-32");
        assertThat(MacAddress.parse("02:42:AC:11:00:02").toString()).isEqualTo("02:42:ac:11:00:02");
        assertThatThrownBy(() -> MacAddress.parse("02:42")).hasMessageContaining("six hex bytes");
    }
}
