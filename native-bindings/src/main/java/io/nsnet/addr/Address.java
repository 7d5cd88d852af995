package io.nsnet.addr;

/** An address assigned to a link. */
public record Address(int linkIndex, IpPrefix prefix, int scope, String label) {
}
