package io.stateguard.agent.config;

import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.keys.GlobPattern;
import io.stateguard.agent.keys.KeyPrivacy;
import io.stateguard.agent.versions.HighWaterMarks;
import io.stateguard.agent.versions.VersionSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Reads StateGuard settings the way the OpenTelemetry Java agent reads {@code otel.*}: from four
 * sources, where a later source wins over an earlier one:
 * <ol>
 *   <li>the properties file named by {@code stateguard.config} / {@code STATEGUARD_CONFIG} (full names,
 *       such as {@code stateguard.keys});</li>
 *   <li>environment variables {@code STATEGUARD_*} ({@code STATEGUARD_FAIL_FAST} is
 *       {@code stateguard.fail-fast});</li>
 *   <li>system properties {@code stateguard.*};</li>
 *   <li>agent arguments, {@code -javaagent:stateguard-agent.jar=keys=a:*:state;routing=primary}:
 *       {@code ;}-separated {@code name=value} pairs without the {@code stateguard.} prefix.</li>
 * </ol>
 *
 * <p>Names are compared after normalisation: lower case, with {@code -} and {@code _} read as
 * {@code .}; so {@code stateguard.fail-fast}, {@code stateguard.fail.fast} and
 * {@code STATEGUARD_FAIL_FAST} are one setting, and a rule named {@code instance-state} is the same
 * rule as {@code STATEGUARD_RULE_INSTANCE_STATE_KEYS} configures.
 */
public final class ConfigLoader {

    static final String PREFIX = "stateguard.";

    static final String CONFIG_FILE = "stateguard.config";

    private static final String ENABLED = "stateguard.enabled";
    private static final String FAIL_FAST = "stateguard.fail.fast";
    private static final String LOG_LEVEL = "stateguard.log.level";
    private static final String KEYS = "stateguard.keys";
    private static final String ROUTING = "stateguard.routing";
    private static final String VERSION = "stateguard.version";
    private static final String ON_REGRESSION = "stateguard.on.regression";
    private static final String MAX_TRACKED_KEYS = "stateguard.max.tracked.keys";
    private static final String TELEMETRY_KEYS = "stateguard.telemetry.keys";
    private static final String MAX_REPLICA_LAG = "stateguard.max.replica.lag";
    private static final String POLL_INTERVAL = "stateguard.replication.poll.interval";

    /** Bounds of {@code stateguard.replication.poll-interval}. */
    static final long MIN_POLL_NANOS = 10_000_000L;
    static final long MAX_POLL_NANOS = 10_000_000_000L;

    private static final String RULE_PREFIX = "stateguard.rule.";

    /** Settings a named rule may carry, normalised, without the {@code stateguard.rule.<name>.} part. */
    private static final String[] RULE_SETTINGS = {"keys", "routing", "version", "on.regression", "max.replica.lag"};

    private ConfigLoader() {
    }

    /** Loads the configuration of this JVM: its environment, system properties and the agent arguments. */
    public static StateGuardConfig load(String agentArgs) {
        return load(agentArgs, System.getenv(), System.getProperties());
    }

    /**
     * Loads and validates a configuration from explicit sources.
     *
     * @throws ConfigException naming the setting and the value, on the first invalid setting.
     */
    public static StateGuardConfig load(String agentArgs, Map<String, String> environment, Properties systemProperties) {
        return validate(merge(agentArgs, environment, systemProperties, false));
    }

    /**
     * Reads only whether fail-fast is requested, from every source including the configuration file,
     * leniently (an unreadable file or a malformed source counts as not requesting it): used to decide how
     * to react when the full configuration is invalid.
     */
    public static boolean failFastRequested(String agentArgs) {
        return failFastRequested(agentArgs, System.getenv(), System.getProperties());
    }

    /** {@link #failFastRequested(String)} from explicit sources. */
    public static boolean failFastRequested(String agentArgs, Map<String, String> environment,
            Properties systemProperties) {
        try {
            Setting failFast = merge(agentArgs, environment, systemProperties, true).get(FAIL_FAST);
            return failFast != null && "true".equalsIgnoreCase(failFast.value.trim());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The settings of every source, a later one winning: the file named by {@code stateguard.config}
     * (looked up in the agent arguments, then the system properties, then the environment), the environment,
     * the system properties, the agent arguments. {@code lenient}: a file that cannot be read is left out
     * instead of failing.
     */
    private static Settings merge(String agentArgs, Map<String, String> environment, Properties systemProperties,
            boolean lenient) {
        Settings env = Settings.fromEnvironment(environment);
        Settings sys = Settings.fromProperties(systemProperties, "system property");
        Settings args = Settings.fromAgentArguments(agentArgs);

        Settings merged = new Settings();
        Setting file = args.get(CONFIG_FILE);
        if (file == null) {
            file = sys.get(CONFIG_FILE);
        }
        if (file == null) {
            file = env.get(CONFIG_FILE);
        }
        if (file != null) {
            try {
                merged.putAll(Settings.fromFile(file));
            } catch (ConfigException e) {
                if (!lenient) {
                    throw e;
                }
            }
        }
        merged.putAll(env);
        merged.putAll(sys);
        merged.putAll(args);
        return merged;
    }

    private static StateGuardConfig validate(Settings settings) {
        List<String> warnings = new ArrayList<>();
        boolean enabled = booleanSetting(settings, ENABLED, true);
        boolean failFast = booleanSetting(settings, FAIL_FAST, false);
        AgentLog.Level logLevel = AgentLog.Level.INFO;
        Setting level = settings.get(LOG_LEVEL);
        if (level != null) {
            logLevel = AgentLog.Level.parse(level.value);
            if (logLevel == null) {
                throw new ConfigException(level.name, level.value,
                        "unknown log level (expected one of: debug, info, warn, error, off)");
            }
        }

        RoutingMode defaultRouting = RoutingMode.PRIMARY;
        Setting routing = settings.get(ROUTING);
        if (routing != null) {
            defaultRouting = routing(routing);
        }

        VersionSpec defaultVersion = VersionSpec.none();
        Setting version = settings.get(VERSION);
        if (version != null) {
            defaultVersion = version(version);
        }
        OnRegression defaultPolicy = OnRegression.REREAD_PRIMARY;
        Setting policy = settings.get(ON_REGRESSION);
        if (policy != null) {
            defaultPolicy = onRegression(policy);
        }
        int maxTrackedKeys = HighWaterMarks.DEFAULT_MAX_TRACKED_KEYS;
        Setting maxKeys = settings.get(MAX_TRACKED_KEYS);
        if (maxKeys != null) {
            maxTrackedKeys = positiveInt(maxKeys, HighWaterMarks.MAX_TRACKED_KEYS_LIMIT);
        }

        long defaultMaxLag = Rule.DEFAULT_MAX_REPLICA_LAG_NANOS;
        Setting maxLag = settings.get(MAX_REPLICA_LAG);
        if (maxLag != null) {
            defaultMaxLag = duration(maxLag, 0, Long.MAX_VALUE);
        }
        long pollNanos = StateGuardConfig.DEFAULT_POLL_NANOS;
        Setting poll = settings.get(POLL_INTERVAL);
        if (poll != null) {
            pollNanos = duration(poll, MIN_POLL_NANOS, MAX_POLL_NANOS);
        }

        KeyPrivacy telemetryKeys = KeyPrivacy.FULL;
        Setting privacy = settings.get(TELEMETRY_KEYS);
        if (privacy != null) {
            telemetryKeys = KeyPrivacy.parse(privacy.value);
            if (telemetryKeys == null) {
                throw new ConfigException(privacy.name, privacy.value,
                        "unknown key privacy (expected one of: " + KeyPrivacy.expected() + ")");
            }
        }

        List<Rule> rules = new ArrayList<>();
        Setting keys = settings.get(KEYS);
        if (keys != null) {
            rules.add(rule(Rule.DEFAULT_NAME, keys, routing, defaultRouting, version, defaultVersion, policy,
                    defaultPolicy, null, defaultMaxLag));
        }

        // Named rules, sorted by name so that precedence does not depend on source or map order.
        Map<String, Map<String, Setting>> named = new TreeMap<>();
        for (Setting setting : settings.all()) {
            String key = setting.normalizedName;
            if (key.equals(CONFIG_FILE) || key.equals(ENABLED) || key.equals(FAIL_FAST) || key.equals(LOG_LEVEL)
                    || key.equals(KEYS) || key.equals(ROUTING) || key.equals(VERSION) || key.equals(ON_REGRESSION)
                    || key.equals(MAX_TRACKED_KEYS) || key.equals(TELEMETRY_KEYS) || key.equals(MAX_REPLICA_LAG)
                    || key.equals(POLL_INTERVAL)) {
                continue;
            }
            if (key.startsWith(RULE_PREFIX)) {
                String rest = key.substring(RULE_PREFIX.length());
                String ruleSetting = null;
                for (String candidate : RULE_SETTINGS) {
                    if (rest.endsWith("." + candidate)) {
                        ruleSetting = candidate;
                        break;
                    }
                }
                if (ruleSetting != null) {
                    String ruleName = rest.substring(0, rest.length() - ruleSetting.length() - 1);
                    if (ruleName.isEmpty()) {
                        throw new ConfigException(setting.name, setting.value, "the rule has no name"
                                + " (expected stateguard.rule.<name>." + ruleSetting + ")");
                    }
                    Map<String, Setting> ruleSettings = named.get(ruleName);
                    if (ruleSettings == null) {
                        ruleSettings = new LinkedHashMap<>();
                        named.put(ruleName, ruleSettings);
                    }
                    ruleSettings.put(ruleSetting, setting);
                    continue;
                }
            }
            warnings.add("unknown setting " + setting.name + " (from " + setting.source + ") is ignored");
        }
        for (Map.Entry<String, Map<String, Setting>> entry : named.entrySet()) {
            String name = entry.getKey();
            Map<String, Setting> ruleSettings = entry.getValue();
            Setting ruleKeys = ruleSettings.get("keys");
            if (ruleKeys == null) {
                Setting any = ruleSettings.values().iterator().next();
                throw new ConfigException(RULE_PREFIX + name + ".keys", null,
                        "rule '" + name + "' is configured (" + any.name + ") but has no key patterns");
            }
            if (name.equals(Rule.DEFAULT_NAME)) {
                throw new ConfigException(ruleKeys.name, ruleKeys.value,
                        "the rule name '" + Rule.DEFAULT_NAME + "' is reserved for stateguard.keys");
            }
            rules.add(rule(name, ruleKeys, ruleSettings.get("routing"), defaultRouting, ruleSettings.get("version"),
                    defaultVersion, ruleSettings.get("on.regression"), defaultPolicy, ruleSettings.get("max.replica.lag"),
                    defaultMaxLag));
        }
        return new StateGuardConfig(enabled, failFast, logLevel, rules, warnings, maxTrackedKeys, telemetryKeys,
                pollNanos);
    }

    /** A rule from its own settings, falling back to the top-level ones; checks that they fit together. */
    private static Rule rule(String name, Setting keys, Setting routingSetting, RoutingMode defaultRouting,
            Setting versionSetting, VersionSpec defaultVersion, Setting policySetting, OnRegression defaultPolicy,
            Setting maxLagSetting, long defaultMaxLag) {
        RoutingMode routing = routingSetting == null ? defaultRouting : routing(routingSetting);
        long maxLag = maxLagSetting == null ? defaultMaxLag : duration(maxLagSetting, 0, Long.MAX_VALUE);
        VersionSpec version = versionSetting == null ? defaultVersion
                : version(versionSetting);
        OnRegression policy = policySetting == null ? defaultPolicy : onRegression(policySetting);
        if (routing == RoutingMode.REPLICA_CHECKED && version.kind() == VersionSpec.Kind.NONE) {
            String setting = name.equals(Rule.DEFAULT_NAME) ? "stateguard.version" : RULE_PREFIX + name + ".version";
            throw new ConfigException(setting, versionSetting == null ? null : versionSetting.value,
                    "routing=replica-checked needs a version source (json:<pointer>, hash:<field> or regex:<pattern>)");
        }
        return new Rule(name, patterns(keys), routing, version, policy, maxLag);
    }

    /**
     * A duration as the OpenTelemetry agent writes them: a whole number with a unit {@code ms}, {@code s},
     * {@code m} or {@code h} ({@code 20ms}, {@code 1s}); a number without a unit is milliseconds.
     *
     * @return nanoseconds, within {@code [min, max]}
     */
    static long duration(Setting setting, long min, long max) {
        String value = setting.value.trim().toLowerCase(Locale.ROOT);
        int digits = 0;
        while (digits < value.length() && Character.isDigit(value.charAt(digits))) {
            digits++;
        }
        String unit = value.substring(digits).trim();
        long perUnit = unit.isEmpty() || unit.equals("ms") ? 1_000_000L : unit.equals("s") ? 1_000_000_000L
                : unit.equals("m") ? 60_000_000_000L : unit.equals("h") ? 3_600_000_000_000L : -1;
        if (digits > 0 && digits <= 12 && perUnit > 0) {
            long nanos = Long.parseLong(value.substring(0, digits)) * perUnit;
            if (nanos >= min && nanos <= max) {
                return nanos;
            }
            throw new ConfigException(setting.name, setting.value, "expected a duration from "
                    + Rule.durationText(min) + (max == Long.MAX_VALUE ? " up" : " to " + Rule.durationText(max)));
        }
        throw new ConfigException(setting.name, setting.value,
                "expected a duration: a whole number with a unit ms, s, m or h (such as 20ms or 1s)");
    }


    private static VersionSpec version(Setting setting) {
        try {
            return VersionSpec.parse(setting.value.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(setting.name, setting.value, e.getMessage());
        }
    }

    private static OnRegression onRegression(Setting setting) {
        OnRegression policy = OnRegression.parse(setting.value);
        if (policy == null) {
            throw new ConfigException(setting.name, setting.value,
                    "unknown policy (expected one of: " + OnRegression.expected() + ")");
        }
        return policy;
    }

    private static int positiveInt(Setting setting, int max) {
        try {
            long value = Long.parseLong(setting.value.trim());
            if (value >= 1 && value <= max) {
                return (int) value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(setting.name, setting.value, "expected a whole number from 1 to " + max);
    }

    private static boolean booleanSetting(Settings settings, String key, boolean defaultValue) {
        Setting setting = settings.get(key);
        if (setting == null) {
            return defaultValue;
        }
        String value = setting.value.trim().toLowerCase(Locale.ROOT);
        if (value.equals("true")) {
            return true;
        }
        if (value.equals("false")) {
            return false;
        }
        throw new ConfigException(setting.name, setting.value, "expected true or false");
    }

    private static RoutingMode routing(Setting setting) {
        RoutingMode mode = RoutingMode.parse(setting.value);
        if (mode == null) {
            throw new ConfigException(setting.name, setting.value,
                    "unknown routing (expected one of: " + RoutingMode.expected() + ")");
        }
        return mode;
    }

    /**
     * Splits a comma-separated pattern list. A comma preceded by {@code \} belongs to the pattern
     * (the glob syntax reads {@code \,} as a literal comma); whitespace around items is dropped.
     */
    static List<GlobPattern> patterns(Setting setting) {
        List<String> items = splitPatterns(setting.value);
        if (items.isEmpty()) {
            throw new ConfigException(setting.name, setting.value, "empty key list");
        }
        List<GlobPattern> patterns = new ArrayList<>(items.size());
        for (String item : items) {
            if (item.isEmpty()) {
                throw new ConfigException(setting.name, setting.value, "empty pattern in the key list");
            }
            try {
                patterns.add(GlobPattern.compile(item));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(setting.name, setting.value, e.getMessage());
            }
        }
        return patterns;
    }

    static List<String> splitPatterns(String value) {
        List<String> items = new ArrayList<>();
        if (value.trim().isEmpty()) {
            return items;
        }
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                current.append(c).append(value.charAt(++i));
            } else if (c == ',') {
                items.add(current.toString().trim());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        items.add(current.toString().trim());
        return items;
    }

    /** One setting as found in a source. */
    static final class Setting {

        final String name;
        final String normalizedName;
        final String value;
        final String source;

        Setting(String name, String value, String source) {
            this.name = name;
            this.normalizedName = normalize(name);
            this.value = value;
            this.source = source;
        }
    }

    static String normalize(String name) {
        return name.trim().toLowerCase(Locale.ROOT).replace('-', '.').replace('_', '.');
    }

    /** Settings of one or more sources, by normalised name; a later {@link #putAll} wins. */
    static final class Settings {

        private final Map<String, Setting> byName = new LinkedHashMap<>();

        Setting get(String normalizedName) {
            return byName.get(normalizedName);
        }

        Iterable<Setting> all() {
            return byName.values();
        }

        void put(Setting setting) {
            byName.remove(setting.normalizedName);
            byName.put(setting.normalizedName, setting);
        }

        void putAll(Settings other) {
            for (Setting setting : other.byName.values()) {
                put(setting);
            }
        }

        static Settings fromEnvironment(Map<String, String> environment) {
            Settings settings = new Settings();
            for (Map.Entry<String, String> entry : new TreeMap<>(environment).entrySet()) {
                String name = entry.getKey();
                if (name.toUpperCase(Locale.ROOT).startsWith("STATEGUARD_") && entry.getValue() != null) {
                    settings.put(new Setting(name, entry.getValue(), "environment"));
                }
            }
            return settings;
        }

        static Settings fromProperties(Properties properties, String source) {
            Settings settings = new Settings();
            for (String name : new TreeMap<>(toMap(properties)).keySet()) {
                if (normalize(name).startsWith(PREFIX)) {
                    settings.put(new Setting(name, properties.getProperty(name), source));
                }
            }
            return settings;
        }

        static Settings fromAgentArguments(String agentArgs) {
            Settings settings = new Settings();
            if (agentArgs == null || agentArgs.trim().isEmpty()) {
                return settings;
            }
            for (String pair : agentArgs.split(";")) {
                if (pair.trim().isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new ConfigException("agent argument", pair, "expected name=value"
                            + " (arguments are ;-separated, e.g. keys=app:*:state;routing=primary)");
                }
                String name = pair.substring(0, eq).trim();
                String fullName = normalize(name).startsWith(PREFIX) ? name : PREFIX + name;
                settings.put(new Setting(fullName, pair.substring(eq + 1), "agent argument"));
            }
            return settings;
        }

        static Settings fromFile(Setting location) {
            Path path;
            try {
                path = Paths.get(location.value.trim());
            } catch (InvalidPathException e) {
                throw new ConfigException(location.name, location.value, "not a valid path");
            }
            if (!Files.isRegularFile(path)) {
                throw new ConfigException(location.name, location.value, "configuration file not found");
            }
            Properties properties = new Properties();
            try (InputStream in = Files.newInputStream(path);
                    Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException(location.name, location.value,
                        "cannot read the configuration file: " + e.getMessage());
            }
            Settings settings = new Settings();
            for (String name : new TreeMap<>(toMap(properties)).keySet()) {
                settings.put(new Setting(name, properties.getProperty(name), "file " + path));
            }
            return settings;
        }

        private static Map<String, String> toMap(Properties properties) {
            Map<String, String> map = new LinkedHashMap<>();
            for (String name : properties.stringPropertyNames()) {
                map.put(name, properties.getProperty(name));
            }
            return map;
        }
    }
}
