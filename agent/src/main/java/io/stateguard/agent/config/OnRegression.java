package io.stateguard.agent.config;

import java.util.Locale;

/** What the agent does with a read whose version is older than the highest version seen for the key. */
public enum OnRegression {

    /**
     * Re-issue the read on the primary and complete the application's command with the primary's
     * value. If the primary is older too (writes lost in a failover), its value is returned, the
     * mark is reset to it, and the event is reported as {@code primary_regression}.
     */
    REREAD_PRIMARY("reread-primary"),

    /** Complete the command exceptionally with {@code StaleStateException}. */
    FAIL("fail"),

    /** Return the value unchanged; only report. */
    REPORT("report");

    private final String configValue;

    OnRegression(String configValue) {
        this.configValue = configValue;
    }

    public String configValue() {
        return configValue;
    }

    static OnRegression parse(String value) {
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        for (OnRegression policy : values()) {
            if (policy.configValue.equals(normalized)) {
                return policy;
            }
        }
        return null;
    }

    static String expected() {
        StringBuilder names = new StringBuilder();
        for (OnRegression policy : values()) {
            if (names.length() > 0) {
                names.append(", ");
            }
            names.append(policy.configValue);
        }
        return names.toString();
    }
}
