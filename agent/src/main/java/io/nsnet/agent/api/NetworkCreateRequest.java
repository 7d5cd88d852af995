package io.nsnet.agent.api;

/**
 * {@code POST /v1/networks}. Only {@code name} is required; null fields take the daemon's defaults
 * (subnet from the default pools, gateway the first host, icc and masquerade on, MTU 1500).
 */
public record NetworkCreateRequest(String name, String subnet, String gateway, String ipRange, Boolean internal,
        Boolean icc, Boolean masquerade, String bridgeName, Integer mtu) {
}
