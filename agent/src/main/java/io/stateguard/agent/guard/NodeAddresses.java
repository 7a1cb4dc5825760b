package io.stateguard.agent.guard;

import java.net.InetSocketAddress;

/**
 * Tells the address of the node behind a client's connection object, for the events of a reply
 * that regressed. Implemented by each client adapter; asked only when there is something to report,
 * so that a reply without a regression costs no address look-up.
 */
public interface NodeAddresses {

    /** The remote address of {@code connection} (the client's own object), or {@code null} when unknown. */
    InetSocketAddress addressOf(Object connection);
}
