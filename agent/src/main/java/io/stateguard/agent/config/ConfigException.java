package io.stateguard.agent.config;

/**
 * An invalid StateGuard setting. The message is one line that names the setting and the value, so
 * an operator can fix it from the log alone.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String setting;

    public ConfigException(String setting, String value, String problem) {
        super(setting + "=" + quote(value) + ": " + problem);
        this.setting = setting;
    }

    /** The setting at fault, as the user wrote it (for example {@code stateguard.rule.state.routing}). */
    public String setting() {
        return setting;
    }

    private static String quote(String value) {
        if (value == null) {
            return "(missing)";
        }
        return "'" + value + "'";
    }
}
