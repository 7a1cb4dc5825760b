package io.stateguard.agent.config;

import java.util.Locale;

/** Where reads of a rule's keys go. */
public enum RoutingMode {

    /** Reads of matching keys are sent to the primary (Master/Replica) or the slot's master (Cluster). */
    PRIMARY("primary"),

    /** Reads keep the application's own {@code ReadFrom}; useful together with version checks. */
    CONFIGURED("configured"),

    /**
     * Reads keep the application's {@code ReadFrom} (replica offload), and every reply is checked
     * against the key's high-water mark; a regression is handled by the rule's
     * {@link OnRegression} policy. Requires a version source.
     */
    REPLICA_CHECKED("replica-checked"),

    /**
     * Reads go to a replica only when every replica the client may read from has provably applied this
     * process's last acknowledged write of the key (its applied offset is at least the primary's offset observed
     * after the write) and lags no more than the rule's {@code max-replica-lag}; otherwise to the primary. Unknown
     * offsets mean the primary. With a version source, replies are also checked as for {@link #REPLICA_CHECKED}.
     */
    CAUSAL("causal");

    private final String configValue;

    RoutingMode(String configValue) {
        this.configValue = configValue;
    }

    /** The value as written in configuration. */
    public String configValue() {
        return configValue;
    }

    /**
     * Parses a configuration value, case-insensitively.
     *
     * @return the mode, or {@code null} when the value names no mode.
     */
    static RoutingMode parse(String value) {
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        for (RoutingMode mode : values()) {
            if (mode.configValue.equals(normalized)) {
                return mode;
            }
        }
        return null;
    }

    static String expected() {
        StringBuilder names = new StringBuilder();
        for (RoutingMode mode : values()) {
            if (names.length() > 0) {
                names.append(", ");
            }
            names.append(mode.configValue);
        }
        return names.toString();
    }
}
