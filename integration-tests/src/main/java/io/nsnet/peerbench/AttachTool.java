package io.nsnet.peerbench;

/**
 * Something that gives a new sandbox (a named network namespace) an endpoint on one bridge and takes it away:
 * nsnetd, the CNI bridge plugin (+ portmap), netavark, the ip -batch floor. The namespace's creation and removal
 * are part of the operation for every tool, as a sandbox create/delete includes them for nsnet.
 */
interface AttachTool {
    String name();

    /** Sandbox i gets 10.0.(i/250).(i%250+2) where a tool takes addresses; with a port, host 20000+i → 80. */
    void attach(int i, boolean port);

    void detach(int i);

    double cpuMs();

    static String address(int i) {
        return "10.0." + (i / 250) + "." + (i % 250 + 2);
    }

    static int hostPort(int i) {
        return 20000 + i;
    }
}
