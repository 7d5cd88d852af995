package io.nsnet.iptc;

import java.util.List;
import java.util.Objects;

/** One rule as {@code struct ipt_entry}: the IP header part, the matches in order, and the target. */
public record IptEntry(IptIp ip, List<XtMatch> matches, XtTarget target) {
    public IptEntry {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(target, "target");
        matches = List.copyOf(matches);
    }
}
