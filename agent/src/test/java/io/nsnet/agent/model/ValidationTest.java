package io.nsnet.agent.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ValidationTest {

    @Test
    void networkNamesFollowDockersRule() {
        assertThatCode(() -> Validation.networkName("my-net_1.a")).doesNotThrowAnyException();
        assertThatThrownBy(() -> Validation.networkName("-net"))
                .isInstanceOf(ValidationException.class)
                .hasMessage("network name \"-net\": must match [a-zA-Z0-9][a-zA-Z0-9_.-]* "
                        + "(start with a letter or digit; then letters, digits, '_', '.', '-')");
        assertThatThrownBy(() -> Validation.networkName("a b")).hasMessageContaining("must match");
        assertThatThrownBy(() -> Validation.networkName("")).hasMessage("network name is empty");
        assertThatThrownBy(() -> Validation.networkName("none"))
                .hasMessage("network name \"none\": reserved (--network none has its own meaning); choose another name");
        assertThatThrownBy(() -> Validation.networkName("n".repeat(65)))
                .hasMessageContaining("65 bytes, longer than the limit of 64");
    }

    @Test
    void sandboxNameMustLeaveTheNetnsNameWithinItsLimit() {
        assertThatCode(() -> Validation.sandboxName("s".repeat(58), "nsnet-")).doesNotThrowAnyException();
        assertThatThrownBy(() -> Validation.sandboxName("s".repeat(59), "nsnet-"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("its namespace name \"nsnet-" + "s".repeat(59) + "\" has 65 bytes, more than 64")
                .hasMessageEndingWith("use at most 58 bytes");
        assertThatThrownBy(() -> Validation.sandboxName("é", "nsnet-")).hasMessageContaining("must match");
    }

    @Test
    void sandboxPrefix() {
        assertThatThrownBy(() -> Validation.sandboxPrefix("a/b")).hasMessageContaining("only letters, digits");
        assertThatThrownBy(() -> Validation.sandboxPrefix("p".repeat(33))).hasMessageContaining("longer than 32 bytes");
    }

    @Test
    void bridgeNamesAreInterfaceNames() {
        assertThatCode(() -> Validation.interfaceName("bridge name", "br-custom")).doesNotThrowAnyException();
        assertThatCode(() -> Validation.interfaceName("bridge name", "b".repeat(15))).doesNotThrowAnyException();
        assertThatThrownBy(() -> Validation.interfaceName("bridge name", "b".repeat(16)))
                .isInstanceOf(ValidationException.class)
                .hasMessage("bridge name \"" + "b".repeat(16) + "\": 16 bytes, but interface names have at most 15 bytes");
        assertThatThrownBy(() -> Validation.interfaceName("bridge name", "br+"))
                .hasMessageContaining("only letters, digits");
    }

    @Test
    void mtuAndPorts() {
        assertThatCode(() -> Validation.mtu(68)).doesNotThrowAnyException();
        assertThatCode(() -> Validation.mtu(65535)).doesNotThrowAnyException();
        assertThatThrownBy(() -> Validation.mtu(67)).hasMessage("mtu 67: must be between 68 and 65535");
        assertThatThrownBy(() -> Validation.mtu(65536)).hasMessage("mtu 65536: must be between 68 and 65535");
        assertThatThrownBy(() -> Validation.port("host port", 0)).hasMessage("host port 0: must be between 1 and 65535");
        assertThatThrownBy(() -> Protocol.parse("icmp")).hasMessage("protocol \"icmp\": must be tcp or udp");
    }

    @Test
    void subnetRules() {
        assertThatThrownBy(() -> Validation.subnet(Cidr.parse("10.0.0.0/31")))
                .hasMessage("subnet \"10.0.0.0/31\": prefix /31 leaves no room for a gateway and a sandbox; use /30 or shorter");
        assertThatThrownBy(() -> Validation.subnet(Cidr.parse("127.0.0.0/16")))
                .hasMessage("subnet \"127.0.0.0/16\": overlaps the reserved block 127.0.0.0/8");
        assertThatThrownBy(() -> Validation.subnet(Cidr.parse("0.0.0.0/0"))).hasMessageContaining("reserved block");
        assertThatCode(() -> Validation.subnet(Cidr.parse("10.0.0.0/30"))).doesNotThrowAnyException();
    }

    @Test
    void gatewayAndIpRangeMustBeInsideTheSubnet() {
        Cidr subnet = Cidr.parse("10.0.0.0/24");
        assertThatThrownBy(() -> Validation.gateway(subnet, Ipv4.parse("10.0.1.1")))
                .hasMessage("gateway \"10.0.1.1\": not inside subnet 10.0.0.0/24");
        assertThatThrownBy(() -> Validation.gateway(subnet, Ipv4.parse("10.0.0.0")))
                .hasMessage("gateway \"10.0.0.0\": is the network address of subnet 10.0.0.0/24");
        assertThatThrownBy(() -> Validation.gateway(subnet, Ipv4.parse("10.0.0.255")))
                .hasMessage("gateway \"10.0.0.255\": is the broadcast address of subnet 10.0.0.0/24");
        assertThatThrownBy(() -> Validation.ipRange(subnet, Cidr.parse("10.0.0.0/23")))
                .hasMessage("ip-range \"10.0.0.0/23\": not inside subnet 10.0.0.0/24");
        assertThatCode(() -> Validation.subnetConfig(subnet, Ipv4.parse("10.0.0.254"), Optional.of(Cidr.parse("10.0.0.128/25"))))
                .doesNotThrowAnyException();
    }

    @Test
    void staticAddressRules() {
        Network n = Fixtures.network("mynet", "10.0.0.0/24", 1);
        assertThat(Validation.staticAddress(n, Ipv4.parse("10.0.0.2"))).isEqualTo(Ipv4.parse("10.0.0.2"));
        assertThatThrownBy(() -> Validation.staticAddress(n, Ipv4.parse("10.0.0.1")))
                .hasMessage("ip \"10.0.0.1\": is the gateway of network mynet");
        assertThatThrownBy(() -> Validation.staticAddress(n, Ipv4.parse("10.0.0.255")))
                .hasMessage("ip \"10.0.0.255\": is the broadcast address of subnet 10.0.0.0/24");
        assertThatThrownBy(() -> Validation.staticAddress(n, Ipv4.parse("10.0.0.0")))
                .hasMessage("ip \"10.0.0.0\": is the network address of subnet 10.0.0.0/24");
        assertThatThrownBy(() -> Validation.staticAddress(n, Ipv4.parse("10.9.0.2")))
                .hasMessage("ip \"10.9.0.2\": not inside subnet 10.0.0.0/24");
    }

    @Test
    void recordsRefuseInvalidState() {
        Network ok = Fixtures.network("mynet", "10.0.0.0/24", 1);
        assertThatThrownBy(() -> new Network("mynet", "xyz", ok.bridge(), ok.subnet(), ok.gateway(), ok.ipRange(), false,
                true, true, 1500, 1, ok.created(), false, ObjectState.READY))
                .hasMessage("network id \"xyz\": must be 64 lower-case hex digits");
        assertThatThrownBy(() -> new Network("mynet", ok.id(), ok.bridge(), ok.subnet(), ok.gateway(), ok.ipRange(), false,
                true, true, 9, 1, ok.created(), false, ObjectState.READY))
                .hasMessage("mtu 9: must be between 68 and 65535");
        assertThatThrownBy(() -> Fixtures.sandbox("s", 1, List.of(), List.of(PortMapping.parse("80:80"), PortMapping.parse("127.0.0.1:80:81"))))
                .hasMessageContaining("use the same host port");
        assertThatThrownBy(() -> Fixtures.sandbox("s", 1, List.of(Fixtures.endpoint("n", 0, "10.0.0.2"),
                Fixtures.endpoint("n", 1, "10.0.0.3")), List.of()))
                .isInstanceOf(ConflictException.class)
                .hasMessage("sandbox s is already connected to network n");
        assertThatThrownBy(() -> Endpoint.create("n", "eth0", "vethXYZ", Ipv4.parse("10.0.0.2")))
                .hasMessageContaining("must be veth followed by 7 hex digits");
    }

    @Test
    void errorsCarryTheirHttpStatus() {
        assertThat(new ValidationException("x").httpStatus()).isEqualTo(400);
        assertThat(new NotFoundException("x").httpStatus()).isEqualTo(404);
        assertThat(new ConflictException("x").httpStatus()).isEqualTo(409);
        assertThat(new ExhaustedException("x").httpStatus()).isEqualTo(409);
    }
}
