package io.stateguard.harness;

/**
 * Thrown when the harness gave up waiting for a condition (a node answering PING, a replica catching up, a
 * failover completing...). The message names the condition, the last observed state and ends with the tail
 * of the logs of the processes involved, so that a failing CI run can be diagnosed from the report alone.
 */
public final class HarnessTimeoutException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    HarnessTimeoutException(String message, Throwable lastFailure) {
        super(message, lastFailure);
    }
}
