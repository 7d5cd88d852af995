package io.nsnet.agent.ipam;

import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.Ipv4;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * IPAM's answer to a {@link SubnetRequest}.
 *
 * @param poolIndex index into the pool list when the subnet came from the default pools; the caller stores it
 *                  (the store's {@code lastPoolIndex}) so the next automatic allocation resumes after it
 */
public record SubnetAllocation(Cidr subnet, Ipv4 gateway, Optional<Cidr> ipRange, OptionalInt poolIndex) {
}
