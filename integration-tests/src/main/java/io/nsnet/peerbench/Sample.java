package io.nsnet.peerbench;

/**
 * One timed operation: which tool, which operation, at what scale x (k existing networks or N sandboxes), its
 * wall time and the CPU it cost (the daemon's for daemons, the bench's reaped children's for process peers).
 */
record Sample(String tool, String op, int x, double wallMs, double cpuMs) {
}
