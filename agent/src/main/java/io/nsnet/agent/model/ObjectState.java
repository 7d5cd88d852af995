package io.nsnet.agent.model;

import java.util.Locale;

/**
 * Lifecycle state of a stored object (network, sandbox, endpoint): the "intent" record that makes multi-step
 * kernel changes crash safe.
 *
 * <p>Protocol the daemon follows for every object:
 * <ol>
 *   <li><b>Create:</b> in one store transaction validate, allocate (subnet/address/names) and insert the row as
 *       {@link #CREATING}. That commit reserves the resources, so a concurrent request can never get the same
 *       subnet or address. Then make the kernel changes (bridge, veth, netns, rules). Then flip the row to
 *       {@link #READY} in a second transaction, and only then acknowledge the client. Networks take a shortcut:
 *       their row is committed {@link #READY} straight away, made durable while the bridge and rules are made,
 *       and hidden from readers until the client is answered (see
 *       {@link io.nsnet.agent.store.StateStore#writeAhead}); after a crash such a create is rolled forward like
 *       any ready object.</li>
 *   <li><b>Delete:</b> flip the row to {@link #DELETING} (durable), tear down the kernel objects, delete the row
 *       in a final transaction, then acknowledge. Until the row is gone its subnet/address/names stay reserved,
 *       so nothing new can collide with kernel objects that may still exist.</li>
 * </ol>
 *
 * <p>What reconcile does after a crash (or kill -9) with each state:
 * <ul>
 *   <li>{@link #CREATING}: the client was never told "done", so the create is <i>rolled back</i>: remove whatever
 *       kernel objects the row names (idempotently; any may be missing) and delete the row. Rolling back rather
 *       than forward keeps the rule "only acknowledged changes persist" simple and needs no partial-progress
 *       bookkeeping.</li>
 *   <li>{@link #DELETING}: the user asked for removal and the object may already be half torn down, so the
 *       delete is <i>rolled forward</i>: finish the teardown and delete the row.</li>
 *   <li>{@link #READY}: the object is acknowledged; reconcile recreates whatever is missing in the kernel.</li>
 * </ul>
 * All kernel names an object uses (bridge, veth, netns) are stored in its row before any kernel change, so
 * reconcile can always find and remove them; nothing that can outlive the daemon is ever created under a name the
 * store does not know. What is made before its row is committed are veths whose peers are in a namespace that has
 * no name yet: the one made ahead with the spare namespace, and a new sandbox's, plugged while its row commits. A
 * daemon that dies takes the namespace, and so the veths, with it (see {@code io.nsnet.agent.daemon.NewSandboxLinks}
 * and {@code io.nsnet.agent.sandbox.SandboxDriver#prepareSpare}).
 */
public enum ObjectState {
    CREATING, READY, DELETING;

    /** Lower-case name, as stored in the database and shown by the API. */
    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ObjectState parse(String text) {
        for (ObjectState s : values()) {
            if (s.lowerName().equals(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown object state \"" + text + "\"");
    }
}
