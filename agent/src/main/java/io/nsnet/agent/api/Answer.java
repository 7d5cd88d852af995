package io.nsnet.agent.api;

/**
 * One HTTP answer, before it is encoded: its status, the methods a 405 names in {@code Allow} (else null), and
 * its JSON body (null for none, as a 204 has).
 */
record Answer(int status, String allow, byte[] json) {
}
