package io.nsnet.agent.ipam;

import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.Ipv4;
import io.nsnet.agent.model.ValidationException;
import java.util.Objects;
import java.util.Optional;

/**
 * What a network create asks of IPAM. With no subnet, IPAM picks one from the default pools; gateway and
 * ip-range only make sense with an explicit subnet (as with Docker's {@code --subnet}).
 */
public record SubnetRequest(String networkName, Optional<Cidr> subnet, Optional<Ipv4> gateway, Optional<Cidr> ipRange) {

    public SubnetRequest {
        Objects.requireNonNull(networkName, "networkName");
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(ipRange, "ipRange");
        if (subnet.isEmpty() && gateway.isPresent()) {
            throw new ValidationException("gateway \"" + gateway.get() + "\": needs an explicit subnet");
        }
        if (subnet.isEmpty() && ipRange.isPresent()) {
            throw new ValidationException("ip-range \"" + ipRange.get() + "\": needs an explicit subnet");
        }
    }

    /** Any subnet from the default pools. */
    public static SubnetRequest any(String networkName) {
        return new SubnetRequest(networkName, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** An explicit subnet, gateway defaulting to its first host. */
    public static SubnetRequest of(String networkName, Cidr subnet) {
        return new SubnetRequest(networkName, Optional.of(subnet), Optional.empty(), Optional.empty());
    }
}
