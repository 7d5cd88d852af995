package io.nsnet.agent.daemon;

import org.junit.jupiter.api.Tag;

import io.nsnet.agent.firewall.BackendChoice;

/**
 * Every engine kernel test again with {@code --firewall-backend nftables} (iptables-nft's tables over nf_tables
 * netlink, no iptables process), observed with {@code iptables-nft-save}.
 */
@Tag("kernel")
class EngineNftablesKernelTest extends EngineKernelTest {

    @Override
    BackendChoice backend() {
        return BackendChoice.NFTABLES;
    }
}
