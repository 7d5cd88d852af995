package io.nsnet.agent.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Ipv4CidrTest {

    @Test
    void parsesAndPrintsAddresses() {
        assertThat(Ipv4.parse("172.17.0.1").toString()).isEqualTo("172.17.0.1");
        assertThat(Ipv4.parse("255.255.255.255").toLong()).isEqualTo(0xFFFF_FFFFL);
        assertThat(Ipv4.parse("10.0.0.255").plus(1)).isEqualTo(Ipv4.parse("10.0.1.0"));
        assertThat(Ipv4.parse("10.0.0.2")).isGreaterThan(Ipv4.parse("10.0.0.1"));
        assertThat(Ipv4.parse("200.0.0.1")).isGreaterThan(Ipv4.parse("10.0.0.1"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0|not an IPv4 address",
        "10.0.0.256|out of range 0-255",
        "10.0.0.01|leading zero",
        "10.0.0.a|each part must be a number",
        "10..0.1|each part must be a number",
    })
    void rejectsBadAddressesNamingTheField(String text, String rule) {
        assertThatThrownBy(() -> Ipv4.parse("gateway", text))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("gateway \"" + text + "\"")
                .hasMessageContaining(rule);
    }

    @Test
    void cidrHostBitsSetSuggestsTheNetwork() {
        assertThatThrownBy(() -> Cidr.parse("subnet", "10.0.0.1/24"))
                .isInstanceOf(ValidationException.class)
                .hasMessage("subnet \"10.0.0.1/24\": host bits set; did you mean 10.0.0.0/24?");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.0|missing prefix length",
        "10.0.0.0/33|out of range 0-32",
        "10.0.0.0/x|must be a number 0-32",
        "10.0.0/8|address part is not an IPv4 address",
    })
    void rejectsBadCidrs(String text, String rule) {
        assertThatThrownBy(() -> Cidr.parse("ip-range", text))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("ip-range \"" + text + "\"")
                .hasMessageContaining(rule);
    }

    @Test
    void cidrArithmetic() {
        Cidr c = Cidr.parse("10.0.0.0/30");
        assertThat(c.broadcast()).isEqualTo(Ipv4.parse("10.0.0.3"));
        assertThat(c.size()).isEqualTo(4);
        assertThat(c.contains(Ipv4.parse("10.0.0.3"))).isTrue();
        assertThat(c.contains(Ipv4.parse("10.0.0.4"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(Ipv4.parse("1.2.3.4"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(Cidr.parse("10.1.0.0/16"))).isTrue();
        assertThat(Cidr.parse("10.1.0.0/16").contains(Cidr.parse("10.0.0.0/8"))).isFalse();
        assertThat(Cidr.parse("10.1.0.0/16").overlaps(Cidr.parse("10.0.0.0/8"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").overlaps(Cidr.parse("10.1.0.0/16"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/24").overlaps(Cidr.parse("10.0.1.0/24"))).isFalse();
        assertThat(Cidr.parse("192.168.16.0/20").broadcast()).isEqualTo(Ipv4.parse("192.168.31.255"));
    }

    @Test
    void jsonIsTheTextForm() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThat(json.writeValueAsString(Cidr.parse("10.0.0.0/24"))).isEqualTo("\"10.0.0.0/24\"");
        assertThat(json.readValue("\"10.0.0.7\"", Ipv4.class)).isEqualTo(Ipv4.parse("10.0.0.7"));
        assertThat(json.readValue("\"172.18.0.0/16\"", Cidr.class)).isEqualTo(Cidr.parse("172.18.0.0/16"));
    }
}
