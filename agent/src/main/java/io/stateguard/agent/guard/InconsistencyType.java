package io.stateguard.agent.guard;

/** What kind of inconsistency a read showed. Values are telemetry attribute values. */
public enum InconsistencyType {

    /** The reply's version is older than the key's high-water mark. */
    VERSION_REGRESSION("version_regression"),

    /** The primary itself is older than the high-water mark (writes lost, for example in a failover). */
    PRIMARY_REGRESSION("primary_regression"),

    /** A nil reply for a key that has a high-water mark (the value went missing). */
    MISSING("missing"),

    /**
     * A value of a key the application deleted ({@code DEL}, {@code UNLINK}, {@code GETDEL}, an
     * {@code EXPIRE} that takes effect at once), no newer than the value deleted: a replica that has not
     * applied the delete yet.
     */
    DELETED_VALUE("deleted_value");

    private final String label;

    InconsistencyType(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
