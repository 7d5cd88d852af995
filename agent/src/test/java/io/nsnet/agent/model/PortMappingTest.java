package io.nsnet.agent.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PortMappingTest {

    @Test
    void parsesHostPortAndContainerPortDefaultingToTcp() {
        PortMapping p = PortMapping.parse("8080:80");
        assertThat(p).isEqualTo(new PortMapping(Optional.empty(), 8080, 80, Protocol.TCP));
        assertThat(p.toSpec()).isEqualTo("8080:80/tcp");
    }

    @Test
    void parsesHostIpAndProtocol() {
        PortMapping p = PortMapping.parse("127.0.0.1:5353:53/udp");
        assertThat(p.hostIp()).contains(Ipv4.parse("127.0.0.1"));
        assertThat(p.hostPort()).isEqualTo(5353);
        assertThat(p.containerPort()).isEqualTo(53);
        assertThat(p.protocol()).isEqualTo(Protocol.UDP);
        assertThat(PortMapping.parse("1:2/TCP").protocol()).isEqualTo(Protocol.TCP);
    }

    @Test
    void allAddressesIsStoredAsNoHostIp() {
        assertThat(PortMapping.parse("0.0.0.0:80:80").hostIp()).isEmpty();
        assertThat(PortMapping.parse(":80:80").hostIp()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "80|host port missing",
        "80:80/sctp|protocol \"sctp\" must be tcp or udp",
        "0:80|host port 0 is out of range 1-65535",
        "80:65536|container port 65536 is out of range 1-65535",
        "80:x|container port \"x\" must be a number 1-65535",
        "8000-8001:80|port ranges are not supported",
        "1.2.3:80:80|host IP \"1.2.3\" is not an IPv4 address",
        "::1:80:80|too many ':'",
    })
    void rejectsBadSpecsQuotingThem(String spec, String rule) {
        assertThatThrownBy(() -> PortMapping.parse(spec))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("port spec \"" + spec + "\"")
                .hasMessageContaining(rule);
    }

    @Test
    void conflicts() {
        PortMapping any80 = PortMapping.parse("80:80");
        PortMapping lo80 = PortMapping.parse("127.0.0.1:80:81");
        PortMapping other80 = PortMapping.parse("10.0.0.1:80:81");
        PortMapping udp80 = PortMapping.parse("80:80/udp");
        assertThat(any80.conflictsWith(lo80)).isTrue();
        assertThat(lo80.conflictsWith(any80)).isTrue();
        assertThat(lo80.conflictsWith(other80)).isFalse();
        assertThat(any80.conflictsWith(udp80)).isFalse();
        assertThat(any80.conflictsWith(PortMapping.parse("81:80"))).isFalse();
    }
}
