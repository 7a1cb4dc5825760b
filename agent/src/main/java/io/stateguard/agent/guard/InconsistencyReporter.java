package io.stateguard.agent.guard;

/**
 * Receives every detected inconsistency with its outcome. Called on Netty event-loop threads:
 * implementations must not block.
 */
public interface InconsistencyReporter {

    void report(Inconsistency inconsistency);
}
