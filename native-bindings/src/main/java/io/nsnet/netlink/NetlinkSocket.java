package io.nsnet.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import io.nsnet.libc.ErrnoException;
import io.nsnet.libc.LibC;
import io.nsnet.libc.Native;

/**
 * A netlink socket (NETLINK_ROUTE unless opened for another protocol). It belongs to the network namespace of the thread that opened it, for its whole
 * life, whichever thread uses it afterwards; so a handle for another namespace is opened once on a thread
 * inside it and then used from anywhere.
 *
 * <p>Requests carry increasing sequence numbers and ask for an ACK; replies with another sequence number
 * (left over from an interrupted earlier request) are skipped. Errors come back as {@link NetlinkException}
 * with the kernel's extended-ack text, which the socket asks for with NETLINK_EXT_ACK. NETLINK_CAP_ACK keeps
 * error replies small by not echoing the request. Calls are serialized per socket.
 */
public final class NetlinkSocket implements AutoCloseable {
    // Dump parts are sized by the kernel to at most 32 KiB (or what the reader asked before); 64 KiB leaves room.
    private static final int RECV_BUFFER = 64 * 1024;
    private static final int MSG_TRUNC = 0x20;
    private static final int MAX_DUMP_ATTEMPTS = 10;

    private final LibC libc = Native.libc();
    private final int fd;
    /**
     * Receive buffer of a socket used only for requests with small answers (ACKs, one link): see
     * {@link #openForRequests}.
     */
    public static final int SMALL_RECV_BUFFER = 8 * 1024;

    private final ByteBuffer rx;
    /** One {@code struct pollfd}, allocated by the first {@link #awaitNotifications}; guarded by this. */
    private ByteBuffer pollFd;
    private ByteBuffer tx = ByteBuffer.allocateDirect(1024).order(ByteOrder.nativeOrder()); // grows when needed
    private int seq;
    private boolean closed;
    /** The send buffer asked for so far; a batch larger than the default must fit in one sendmsg. */
    private int sndbuf;

    private NetlinkSocket(int fd, int receiveBuffer) {
        this.fd = fd;
        this.rx = ByteBuffer.allocateDirect(receiveBuffer).order(ByteOrder.nativeOrder());
        this.seq = (int) (System.nanoTime() & 0x3fffffff);
    }

    /** Opens and binds a NETLINK_ROUTE socket in the calling thread's network namespace. */
    public static NetlinkSocket open() {
        return open(Native.NETLINK_ROUTE, RECV_BUFFER);
    }

    /** Opens and binds a socket of the given netlink protocol (e.g. NETLINK_NETFILTER) in this thread's namespace. */
    public static NetlinkSocket open(int protocol) {
        return open(protocol, RECV_BUFFER);
    }

    /**
     * As {@link #open}, with a receive buffer of {@link #SMALL_RECV_BUFFER} bytes: for a short-lived socket that
     * only sends requests whose answers are ACKs or a single small link (a new sandbox namespace's own setup),
     * never dumps. Why it matters: a direct buffer's memory is freed only when the socket object is garbage
     * collected, not on close, and one 64 KiB buffer per sandbox create was several MB of the daemon's RSS
     * between collections. A larger answer fails as truncated, naming the request, rather than being cut.
     */
    public static NetlinkSocket openForRequests() {
        return open(Native.NETLINK_ROUTE, SMALL_RECV_BUFFER);
    }

    private static NetlinkSocket open(int protocol, int receiveBuffer) {
        LibC c = Native.libc();
        int fd = Native.check(c.socket(Native.AF_NETLINK, Native.SOCK_RAW | Native.SOCK_CLOEXEC,
                protocol), "socket(AF_NETLINK)");
        try {
            setIntOption(c, fd, Native.SOL_NETLINK, Native.NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
            setIntOption(c, fd, Native.SOL_NETLINK, Native.NETLINK_CAP_ACK, 1, "NETLINK_CAP_ACK");
            setIntOption(c, fd, Native.SOL_SOCKET, Native.SO_RCVBUF, 1 << 20, "SO_RCVBUF");
            ByteBuffer sa = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
            sa.putShort((short) Native.AF_NETLINK).putShort((short) 0).putInt(0).putInt(0).flip();
            Native.check(c.bind(fd, sa, 12), "bind(AF_NETLINK)");
            return new NetlinkSocket(fd, receiveBuffer);
        } catch (RuntimeException e) {
            c.close(fd);
            throw e;
        }
    }

    private static void setIntOption(LibC c, int fd, int level, int name, int value, String what) {
        ByteBuffer v = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        v.putInt(0, value);
        Native.check(c.setsockopt(fd, level, name, v, 4), "setsockopt(" + what + ")");
    }

    /**
     * Sends a request that asks for an ACK and returns the replies that came before it (empty for a plain
     * create/delete; the object for an NLM_F_ECHO or a single GET).
     */
    public synchronized List<NlMsg> request(NlMsgBuilder msg, String operation) {
        int s = send(msg, msg.flags() | Nl.NLM_F_REQUEST | Nl.NLM_F_ACK);
        List<NlMsg> replies = new ArrayList<>();
        while (true) {
            for (NlMsg m : receive(operation)) {
                if (m.seq() != s) {
                    continue;
                }
                if (m.type() == Nl.NLMSG_ERROR) {
                    int error = m.payload().getInt(0);
                    if (error != 0) {
                        throw errorOf(m, operation);
                    }
                    return replies;
                }
                replies.add(m);
            }
        }
    }

    /** One request of a {@link #requestAll} batch and what to call it in an error. */
    public record Op(NlMsgBuilder msg, String operation) {
    }

    /**
     * Sends several requests in one write and waits for each one's ACK: one system call and one wake-up for
     * the lot instead of one per request. The kernel handles them in order but independently (a failed one
     * does not stop the next), so only batch requests where a later one failing after an earlier one is no
     * worse than failing alone. Throws the first request's error (named by its operation), after
     * reading every ACK.
     */
    public synchronized void requestAll(List<Op> ops) {
        if (ops.isEmpty()) {
            return;
        }
        // The same datagram and ACK handling as an nfnetlink batch; each message asks for its ACK here.
        List<NlMsgBuilder> msgs = new ArrayList<>(ops.size());
        for (Op op : ops) {
            msgs.add(op.msg().withFlags(op.msg().flags() | Nl.NLM_F_REQUEST | Nl.NLM_F_ACK));
        }
        batch(msgs, i -> i < 0 ? ops.size() + " netlink requests" : ops.get(i).operation(), s -> { });
    }

    /**
     * Sends a dump request and reads every part until NLMSG_DONE. If the kernel marks any part with
     * NLM_F_DUMP_INTR (the table changed under the dump), the whole dump is taken again.
     */
    public synchronized List<NlMsg> dump(NlMsgBuilder msg, String operation) {
        for (int attempt = 1; ; attempt++) {
            int s = send(msg, msg.flags() | Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP);
            DumpCollector dump = new DumpCollector(s, operation);
            while (!dump.accept(receive(operation))) {
                // keep reading until NLMSG_DONE
            }
            if (!dump.interrupted()) {
                return dump.parts();
            }
            if (attempt == MAX_DUMP_ATTEMPTS) {
                throw new NetlinkProtocolException(operation + ": dump interrupted " + attempt + " times in a row");
            }
        }
    }

    /** What a {@link #batch} returned: the replies that are not acknowledgements, in arrival order. */
    public record BatchReplies(List<NlMsg> replies) {
    }

    /**
     * Sends several messages in one datagram, as nfnetlink batches are sent (BEGIN, the changes, END), and
     * waits for the acknowledgement of every message sent with NLM_F_ACK. Sequence numbers are assigned in
     * order; {@code firstSeq} gets the first one so callers can map replies (an NLM_F_ECHO notification carries
     * its request's number) back to their messages.
     *
     * <p>A batch fails as a whole: the kernel reports every error and acknowledges the rest; the first error
     * received is thrown, named by {@code what} for the message it belongs to. An error on a message without
     * NLM_F_ACK (a refused change when only the last one asks for an ACK, or the kernel's answer to a stale
     * generation id on the BEGIN message) ends the wait at once; what the kernel sends after it carries this
     * batch's sequence numbers, which later calls skip.
     *
     * @param what   names message {@code i} of {@code msgs} in an error (e.g. the command it carries out)
     * @param onSeqs receives the sequence number of each message, in order, before anything is sent
     */
    public synchronized BatchReplies batch(List<NlMsgBuilder> msgs, java.util.function.IntFunction<String> what,
            java.util.function.IntConsumer onSeqs) {
        String operation = what.apply(-1);
        ensureOpen();
        int total = 0;
        List<ByteBuffer> wires = new ArrayList<>(msgs.size());
        java.util.Map<Integer, Integer> acked = new java.util.HashMap<>();
        for (int i = 0; i < msgs.size(); i++) {
            int s = ++seq;
            onSeqs.accept(s);
            ByteBuffer w = msgs.get(i).build(s);
            if ((msgs.get(i).flags() & Nl.NLM_F_ACK) != 0) {
                acked.put(s, i);
            }
            wires.add(w);
            total += w.remaining();
        }
        if (tx.capacity() < total) {
            tx = ByteBuffer.allocateDirect(Integer.highestOneBit(total) * 2).order(ByteOrder.nativeOrder());
        }
        if (total > 64 * 1024 && total > sndbuf) {
            // A batch is one datagram, so it must fit the send buffer (as nft raises it for big batches).
            int want = Integer.highestOneBit(total) * 2;
            try {
                setIntOption(libc, fd, Native.SOL_SOCKET, Native.SO_SNDBUFFORCE, want, "SO_SNDBUFFORCE");
            } catch (ErrnoException e) {
                setIntOption(libc, fd, Native.SOL_SOCKET, Native.SO_SNDBUF, want, "SO_SNDBUF");
            }
            sndbuf = want;
        }
        tx.clear();
        for (ByteBuffer w : wires) {
            tx.put(w);
        }
        tx.flip();
        long n = libc.send(fd, tx, tx.remaining(), 0);
        if (n < 0) {
            throw new ErrnoException("send(netlink batch)", Native.errno());
        }
        int firstSeq = seq - msgs.size() + 1;
        List<NlMsg> replies = new ArrayList<>();
        NetlinkException first = null;
        int firstIndex = Integer.MAX_VALUE;
        int pending = acked.size();
        while (pending > 0) {
            for (NlMsg m : receive(operation)) {
                if (m.seq() < firstSeq || m.seq() > seq) {
                    continue;
                }
                if (m.type() != Nl.NLMSG_ERROR) {
                    replies.add(m);
                    continue;
                }
                int index = m.seq() - firstSeq;
                int error = m.payload().getInt(0);
                if (acked.remove(m.seq()) != null) {
                    pending--;
                } else {
                    pending = 0; // an error on an un-acked message: the batch has failed, stop waiting
                }
                if (error != 0 && index < firstIndex) {
                    firstIndex = index;
                    first = errorOf(m, what.apply(index));
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return new BatchReplies(replies);
    }

    /**
     * Subscribes to a multicast group (an RTNLGRP_* number): the kernel's notifications of that group are then
     * queued on this socket, for {@link #awaitNotifications}. A socket that only listens must be drained or left
     * again, or its queue overflows (ENOBUFS on the next read).
     */
    public synchronized void joinGroup(int group) {
        ensureOpen();
        setIntOption(libc, fd, Native.SOL_NETLINK, Native.NETLINK_ADD_MEMBERSHIP, group, "NETLINK_ADD_MEMBERSHIP");
    }

    public synchronized void leaveGroup(int group) {
        ensureOpen();
        setIntOption(libc, fd, Native.SOL_NETLINK, Native.NETLINK_DROP_MEMBERSHIP, group, "NETLINK_DROP_MEMBERSHIP");
    }

    /**
     * Waits up to {@code timeoutMs} for a datagram and returns its messages, or nothing on timeout. For a socket
     * that listens to a group; an overflowed queue (notifications were lost) throws ErrnoException ENOBUFS.
     */
    public synchronized List<NlMsg> awaitNotifications(int timeoutMs, String operation) {
        ensureOpen();
        if (pollFd == null) {
            pollFd = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        }
        ByteBuffer pfd = pollFd;
        pfd.putInt(0, fd).putShort(4, Native.POLLIN).putShort(6, (short) 0);
        int n = libc.poll(pfd, 1, timeoutMs);
        if (n < 0) {
            int errno = Native.errno();
            if (errno == io.nsnet.libc.Errno.EINTR) {
                return List.of();
            }
            throw new ErrnoException("poll(netlink) for " + operation, errno);
        }
        return n == 0 ? List.of() : receive(operation);
    }

    /** Discards whatever is queued (notifications from before, an overflow mark), without waiting. */
    public synchronized void drain() {
        ensureOpen();
        while (true) {
            rx.clear();
            long n = libc.recv(fd, rx, rx.capacity(), MSG_TRUNC | Native.MSG_DONTWAIT);
            if (n < 0 && Native.errno() != io.nsnet.libc.Errno.ENOBUFS && Native.errno() != io.nsnet.libc.Errno.EINTR) {
                return; // EAGAIN: empty
            }
        }
    }

    private int send(NlMsgBuilder msg, int flags) {
        ensureOpen();
        int s = ++seq;
        ByteBuffer wire = msg.build(s);
        wire.putShort(6, (short) flags);
        if (tx.capacity() < wire.remaining()) {
            tx = ByteBuffer.allocateDirect(Integer.highestOneBit(wire.remaining()) * 2).order(ByteOrder.nativeOrder());
        }
        tx.clear();
        tx.put(wire).flip();
        long n = libc.send(fd, tx, tx.remaining(), 0);
        if (n < 0) {
            throw new ErrnoException("send(netlink)", Native.errno());
        }
        return s;
    }

    private List<NlMsg> receive(String operation) {
        rx.clear();
        long n;
        do {
            n = libc.recv(fd, rx, rx.capacity(), MSG_TRUNC);
        } while (n < 0 && Native.errno() == io.nsnet.libc.Errno.EINTR);
        if (n < 0) {
            throw new ErrnoException("recv(netlink) for " + operation, Native.errno());
        }
        if (n > rx.capacity()) {
            throw new NetlinkProtocolException(operation + ": reply of " + n + " bytes truncated to " + rx.capacity());
        }
        // Copy out only the bytes received, so parsed messages stay valid after the next recv.
        ByteBuffer copy = ByteBuffer.allocate((int) n).order(ByteOrder.nativeOrder());
        ByteBuffer view = rx.duplicate();
        view.position(0).limit((int) n);
        copy.put(view).flip();
        return NlMsg.parseAll(copy);
    }

    /** Decodes an NLMSG_ERROR reply: negative errno, the echoed request header, then ext-ack TLVs. */
    static NetlinkException errorOf(NlMsg m, String operation) {
        ByteBuffer p = m.payload();
        int errno = -p.getInt(0);
        int tlvOffset;
        if ((m.flags() & Nl.NLM_F_CAPPED) != 0) {
            tlvOffset = 4 + Nl.NLMSG_HDRLEN;
        } else {
            tlvOffset = 4 + (p.remaining() >= 4 + Nl.NLMSG_HDRLEN ? p.getInt(4) : Nl.NLMSG_HDRLEN);
        }
        String ack = (m.flags() & Nl.NLM_F_ACK_TLVS) != 0 ? extAckOf(m, tlvOffset) : "";
        return NetlinkException.of(operation, errno, ack);
    }

    static String extAckOf(NlMsg m, int offset) {
        ByteBuffer p = m.payload().duplicate().order(ByteOrder.nativeOrder());
        if (offset >= p.limit()) {
            return "";
        }
        p.position(Nl.align(offset));
        try {
            return NlAttrs.parse(p.slice().order(ByteOrder.nativeOrder())).string(Nl.NLMSGERR_ATTR_MSG).orElse("");
        } catch (NetlinkProtocolException e) {
            return "";
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("netlink socket is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            libc.close(fd);
        }
    }
}
