package io.nsnet.agent.ipam;

import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.Ipv4;
import java.util.ArrayList;
import java.util.List;

/**
 * Docker 20.10's default local address pools, in the order Docker hands them out: 172.17.0.0/16 … 172.31.0.0/16,
 * then 192.168.0.0/16 cut into /20s (192.168.0.0/20 … 192.168.240.0/20). 31 subnets in all; with the default
 * network on the first, the 31st network create fails exactly as Docker's does.
 */
public final class DefaultPools {

    private DefaultPools() {
    }

    /** The 31 default subnets, in allocation order. */
    public static List<Cidr> docker() {
        List<Cidr> pools = new ArrayList<>(31);
        for (int second = 17; second <= 31; second++) {
            pools.add(new Cidr(Ipv4.parse("172." + second + ".0.0"), 16));
        }
        for (int third = 0; third < 256; third += 16) {
            pools.add(new Cidr(Ipv4.parse("192.168." + third + ".0"), 20));
        }
        return List.copyOf(pools);
    }
}
