package io.nsnet.netlink;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the parts of one dump, datagram by datagram, until NLMSG_DONE: skips replies to other requests,
 * notes NLM_F_DUMP_INTR (the kernel's table changed while it was being dumped, so the parts may be
 * inconsistent and the dump must be taken again) and turns error replies into exceptions. No I/O, so the
 * protocol logic is tested on byte fixtures.
 */
final class DumpCollector {
    private final int seq;
    private final String operation;
    private final List<NlMsg> parts = new ArrayList<>();
    private boolean interrupted;
    private boolean done;

    DumpCollector(int seq, String operation) {
        this.seq = seq;
        this.operation = operation;
    }

    /** Takes one datagram's messages; returns true once NLMSG_DONE was seen. */
    boolean accept(List<NlMsg> messages) {
        for (NlMsg m : messages) {
            if (done || m.seq() != seq) {
                continue;
            }
            interrupted |= (m.flags() & Nl.NLM_F_DUMP_INTR) != 0;
            if (m.type() == Nl.NLMSG_DONE) {
                int status = m.payload().remaining() >= 4 ? m.payload().getInt(0) : 0;
                if (status < 0) {
                    throw NetlinkException.of(operation, -status, NetlinkSocket.extAckOf(m, 4));
                }
                done = true;
            } else if (m.type() == Nl.NLMSG_ERROR) {
                if (m.payload().getInt(0) != 0) {
                    throw NetlinkSocket.errorOf(m, operation);
                }
            } else {
                parts.add(m);
            }
        }
        return done;
    }

    boolean interrupted() {
        return interrupted;
    }

    List<NlMsg> parts() {
        return parts;
    }
}
