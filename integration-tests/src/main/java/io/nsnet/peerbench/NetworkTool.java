package io.nsnet.peerbench;

/** Something that creates and deletes one bridge network: nsnetd, dockerd, the ip/iptables-restore floor. */
interface NetworkTool {
    String name();

    void createNetwork(int i);

    void deleteNetwork(int i);

    /** Cumulative CPU ms charged to this tool (a daemon's process, or the bench's reaped children). */
    double cpuMs();

    /** Subnet of network i: 10.1.0.0/24 upwards, clear of the attach network 10.0.0.0/16. */
    static String subnet(int i) {
        return "10." + (1 + i / 256) + "." + (i % 256) + ".0/24";
    }

    static String gateway(int i) {
        return "10." + (1 + i / 256) + "." + (i % 256) + ".1";
    }
}
