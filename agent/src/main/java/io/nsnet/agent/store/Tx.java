package io.nsnet.agent.store;

import io.nsnet.agent.model.ConflictException;
import io.nsnet.agent.model.Endpoint;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.NotFoundException;
import io.nsnet.agent.model.ObjectState;
import io.nsnet.agent.model.Sandbox;

/**
 * Reads and writes inside one store transaction. Either everything done through a {@code Tx} is committed
 * (durably, before {@link StateStore#update} returns) or, if the work throws, nothing is.
 *
 * <p>Writes check the rules the database could otherwise only report as anonymous constraint errors, and throw
 * {@link ConflictException} / {@link NotFoundException} with messages for the user; the schema's constraints
 * remain as a backstop.
 */
public interface Tx extends ReadTx {

    /** A new creation-order number, never handed out before (survives deletes and restarts). */
    long nextSequence();

    /**
     * Inserts a network (normally in state {@link ObjectState#CREATING}).
     *
     * @throws ConflictException if the name, id or bridge name is taken, its subnet overlaps another network's,
     *     or it is a second default network
     */
    void insertNetwork(Network network);

    /** @throws NotFoundException if there is no such network */
    void setNetworkState(String name, ObjectState state);

    /**
     * Deletes a network row.
     *
     * @throws ConflictException naming the sandboxes still attached
     * @throws NotFoundException if there is no such network
     */
    void deleteNetwork(String name);

    /**
     * Inserts a sandbox with its endpoints and published ports.
     *
     * @throws ConflictException if the name, id or netns is taken, an address or veth name is in use, or a host
     *     port is already published by another sandbox (each message names the holder)
     * @throws NotFoundException if an endpoint's network does not exist
     */
    void insertSandbox(Sandbox sandbox);

    /** @throws NotFoundException if there is no such sandbox */
    void setSandboxState(String name, ObjectState state);

    /** Deletes a sandbox with its endpoints and ports. @throws NotFoundException if there is no such sandbox */
    void deleteSandbox(String name);

    /**
     * Adds an endpoint to a sandbox (a connect; normally in state {@link ObjectState#CREATING}).
     *
     * @throws ConflictException if already connected, the interface name, veth or address is in use
     * @throws NotFoundException if the sandbox or network does not exist
     */
    void insertEndpoint(String sandbox, Endpoint endpoint);

    /** @throws NotFoundException if the sandbox is not connected to the network */
    void setEndpointState(String sandbox, String network, ObjectState state);

    /** Removes an endpoint (a disconnect). @throws NotFoundException if not connected */
    void deleteEndpoint(String sandbox, String network);

    /** Records the pool index of an automatic subnet allocation, so the next one resumes after it. */
    void setLastPoolIndex(int index);

    void putMeta(String key, String value);
}
