package io.stateguard.agent.guard;

/** What the agent did about an inconsistency. Values are telemetry attribute values. */
public enum GuardAction {

    /** The read was re-issued on the primary and the application got the primary's value. */
    REREAD_PRIMARY("reread_primary"),

    /** The application's command failed with {@code StaleStateException}. */
    FAILED("failed"),

    /** The value was returned unchanged; the inconsistency was only reported. */
    REPORTED("reported");

    private final String label;

    GuardAction(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
