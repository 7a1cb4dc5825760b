package io.stateguard.agent.config;

import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.keys.KeyPrivacy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class ConfigLoaderTest {

    private final Map<String, String> env = new HashMap<>();
    private final Properties sys = new Properties();

    private StateGuardConfig load(String agentArgs) {
        return ConfigLoader.load(agentArgs, env, sys);
    }

    private static List<String> globs(Rule rule) {
        return rule.patterns().stream().map(p -> p.glob()).toList();
    }

    @Test
    void defaultsWithoutAnySetting() {
        StateGuardConfig config = load(null);
        assertThat(config.enabled()).isTrue();
        assertThat(config.failFast()).isFalse();
        assertThat(config.logLevel()).isEqualTo(AgentLog.Level.INFO);
        assertThat(config.rules()).isEmpty();
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void agentArgumentsDefineTheDefaultRule() {
        StateGuardConfig config = load("keys=a:*:state, b:?;routing=primary");
        assertThat(config.rules()).hasSize(1);
        Rule rule = config.rules().get(0);
        assertThat(rule.name()).isEqualTo("default");
        assertThat(globs(rule)).containsExactly("a:*:state", "b:?");
        assertThat(rule.routing()).isEqualTo(RoutingMode.PRIMARY);
    }

    @Test
    void laterSourcesWin(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("stateguard.properties");
        Files.write(file, ("stateguard.keys=from-file\nstateguard.routing=configured\nstateguard.log.level=debug\n"
                + "stateguard.rule.creds.keys=file:creds:*\n").getBytes(StandardCharsets.UTF_8));
        env.put("STATEGUARD_CONFIG", file.toString());

        // file only
        StateGuardConfig fileOnly = load(null);
        assertThat(globs(fileOnly.rules().get(0))).containsExactly("from-file");
        assertThat(fileOnly.rules().get(0).routing()).isEqualTo(RoutingMode.CONFIGURED);
        assertThat(fileOnly.logLevel()).isEqualTo(AgentLog.Level.DEBUG);

        // environment over file
        env.put("STATEGUARD_KEYS", "from-env");
        env.put("STATEGUARD_RULE_CREDS_ROUTING", "primary");
        StateGuardConfig withEnv = load(null);
        assertThat(globs(withEnv.rules().get(0))).containsExactly("from-env");
        assertThat(withEnv.rules().get(1).name()).isEqualTo("creds");
        assertThat(globs(withEnv.rules().get(1))).containsExactly("file:creds:*");
        assertThat(withEnv.rules().get(1).routing()).isEqualTo(RoutingMode.PRIMARY);

        // system properties over environment
        sys.setProperty("stateguard.keys", "from-sys");
        assertThat(globs(load(null).rules().get(0))).containsExactly("from-sys");

        // agent arguments over system properties
        assertThat(globs(load("keys=from-args").rules().get(0))).containsExactly("from-args");
    }

    @Test
    void configFileNamedByAgentArgumentWinsOverTheOtherSources(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a.properties");
        Path b = dir.resolve("b.properties");
        Files.write(a, "stateguard.keys=a\n".getBytes(StandardCharsets.UTF_8));
        Files.write(b, "stateguard.keys=b\n".getBytes(StandardCharsets.UTF_8));
        env.put("STATEGUARD_CONFIG", a.toString());
        sys.setProperty("stateguard.config", b.toString());
        assertThat(globs(load(null).rules().get(0))).containsExactly("b");
        assertThat(globs(load("config=" + a).rules().get(0))).containsExactly("a");
    }

    @Test
    void namesAreNormalised() {
        sys.setProperty("stateguard.fail_fast", "true");
        sys.setProperty("stateguard.rule.instance-state.keys", "x:*");
        env.put("STATEGUARD_RULE_INSTANCE_STATE_ROUTING", "configured");
        StateGuardConfig config = load(null);
        assertThat(config.failFast()).isTrue();
        assertThat(config.rules()).hasSize(1);
        assertThat(config.rules().get(0).name()).isEqualTo("instance.state");
        assertThat(config.rules().get(0).routing()).isEqualTo(RoutingMode.CONFIGURED);
    }

    @Test
    void namedRulesInheritTheTopLevelRoutingAndComeAfterTheDefaultRuleByName() {
        StateGuardConfig config = load("routing=configured;rule.zeta.keys=z:*;rule.alpha.keys=a:*;"
                + "rule.alpha.routing=primary;keys=d:*");
        assertThat(config.rules()).extracting(Rule::name).containsExactly("default", "alpha", "zeta");
        assertThat(config.rules()).extracting(Rule::routing)
                .containsExactly(RoutingMode.CONFIGURED, RoutingMode.PRIMARY, RoutingMode.CONFIGURED);
    }

    @Test
    void escapedCommaBelongsToThePattern() {
        StateGuardConfig config = load("keys=a\\,b,c");
        assertThat(globs(config.rules().get(0))).containsExactly("a\\,b", "c");
        assertThat(config.rules().get(0).patterns().get(0).matches("a,b".getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    @Test
    void unknownSettingsAreWarnedAboutNotFatal() {
        sys.setProperty("stateguard.key", "typo");
        StateGuardConfig config = load("keys=a");
        assertThat(config.warnings()).singleElement().asString()
                .contains("stateguard.key").contains("system property");
    }

    @Test
    void disabled() {
        assertThat(load("enabled=false;keys=a").enabled()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "keys=                       | stateguard.keys=''                        | empty key list",
        "keys=a,,b                   | stateguard.keys='a,,b'                    | empty pattern",
        "keys=a\\                    | stateguard.keys='a\\'                     | a\\",
        "keys=a;routing=primry       | stateguard.routing='primry'               | unknown routing (expected one of: primary, configured, replica-checked, causal)",
        "rule.x.keys=a;rule.x.routing=nope | stateguard.rule.x.routing='nope'    | unknown routing",
        "rule.x.routing=primary      | stateguard.rule.x.keys=(missing)          | rule 'x' is configured",
        "rule..keys=a                | stateguard.rule..keys='a'                 | the rule has no name",
        "rule.default.keys=a         | stateguard.rule.default.keys='a'          | reserved",
        "keys=a;enabled=yes          | stateguard.enabled='yes'                  | expected true or false",
        "keys=a;fail-fast=1          | stateguard.fail-fast='1'                  | expected true or false",
        "keys=a;log.level=loud       | stateguard.log.level='loud'               | unknown log level",
        "keys                        | agent argument='keys'                     | expected name=value",
        "keys=a;version=xml:/v       | stateguard.version='xml:/v'               | unknown version source",
        "keys=a;version=json:v       | stateguard.version='json:v'               | JSON Pointer",
        "keys=a;version=regex:\\d+  | stateguard.version='regex:\\d+'          | capture group",
        "keys=a;on-regression=retry  | stateguard.on-regression='retry'          | unknown policy (expected one of: reread-primary, fail, report)",
        "keys=a;routing=replica-checked | stateguard.version=(missing)           | needs a version source",
        "rule.x.keys=a;rule.x.routing=replica-checked | stateguard.rule.x.version=(missing) | needs a version source",
        "keys=a;max-tracked-keys=0   | stateguard.max-tracked-keys='0'           | expected a whole number",
        "keys=a;max-tracked-keys=lots | stateguard.max-tracked-keys='lots'       | expected a whole number",
        "keys=a;telemetry.keys=hash  | stateguard.telemetry.keys='hash'          | unknown key privacy (expected one of: full, hashed, none)",
        "keys=a;max-replica-lag=fast | stateguard.max-replica-lag='fast'         | expected a duration",
        "keys=a;max-replica-lag=2d   | stateguard.max-replica-lag='2d'           | unit ms, s, m or h",
        "keys=a;max-replica-lag=-5ms | stateguard.max-replica-lag='-5ms'         | expected a duration",
        "rule.x.keys=a;rule.x.max-replica-lag=1 sec | stateguard.rule.x.max-replica-lag='1 sec' | expected a duration",
        "keys=a;replication.poll-interval=1ms | stateguard.replication.poll-interval='1ms' | from 10ms to 10s",
        "keys=a;replication.poll-interval=1m  | stateguard.replication.poll-interval='1m'  | from 10ms to 10s",
    })
    void invalidSettingsNameTheSettingAndTheValue(String args, String named, String problem) {
        assertThatThrownBy(() -> load(args))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(named)
                .hasMessageContaining(problem);
    }

    @Test
    void replicationSettingsWithDefaultsPerRule() {
        StateGuardConfig defaults = load("keys=s:*;routing=causal");
        assertThat(defaults.replicationPollNanos()).as("50 ms").isEqualTo(50_000_000L);
        assertThat(defaults.rules().get(0).maxReplicaLagNanos()).as("1 s").isEqualTo(1_000_000_000L);
        assertThat(defaults.watchesReplicas()).isTrue();
        assertThat(load("keys=s:*").watchesReplicas()).as("primary routing needs no monitor").isFalse();

        StateGuardConfig config = load("keys=s:*;routing=causal;max-replica-lag=20ms;replication.poll-interval=100;"
                + "rule.v.keys=v:*;rule.v.routing=replica-checked;rule.v.version=json:/v;rule.v.max-replica-lag=2s;"
                + "rule.m.keys=m:*;rule.m.max-replica-lag=1m");
        assertThat(config.replicationPollNanos()).as("a bare number is milliseconds").isEqualTo(100_000_000L);
        assertThat(config.rules()).extracting(Rule::name, Rule::maxReplicaLagNanos).containsExactly(
                tuple("default", 20_000_000L), tuple("m", 60_000_000_000L), tuple("v", 2_000_000_000L));
        assertThat(config.rules().get(0).routing()).isEqualTo(RoutingMode.CAUSAL);
        assertThat(config.rules().get(0).checksVersions()).as("causal needs no version source").isFalse();
        assertThat(config.rules().get(0)).hasToString("default{keys=s:*, routing=causal, max-replica-lag=20ms}");
        assertThat(load("keys=s:*;routing=causal;max-replica-lag=0").rules().get(0).maxReplicaLagNanos()).isZero();
        assertThat(load("keys=s:*;max-replica-lag=1h").rules().get(0).maxReplicaLagNanos())
                .isEqualTo(3_600_000_000_000L);
    }

    @Test
    void versionSettingsPerRuleWithTopLevelDefaults() {
        StateGuardConfig config = load("keys=s:*;version=json:/version;on-regression=report;max-tracked-keys=500;"
                + "rule.creds.keys=i:*;rule.creds.version=hash:v;rule.creds.routing=replica-checked;"
                + "rule.creds.on-regression=fail;rule.plain.keys=p:*;rule.plain.version=none");
        assertThat(config.maxTrackedKeys()).isEqualTo(500);
        assertThat(config.checksVersions()).isTrue();
        Rule defaults = config.rules().get(0);
        assertThat(defaults.version().toString()).isEqualTo("json:/version");
        assertThat(defaults.onRegression()).isEqualTo(OnRegression.REPORT);
        Rule creds = config.rules().get(1);
        assertThat(creds.routing()).isEqualTo(RoutingMode.REPLICA_CHECKED);
        assertThat(creds.version().toString()).isEqualTo("hash:v");
        assertThat(creds.onRegression()).isEqualTo(OnRegression.FAIL);
        assertThat(config.rules().get(2).checksVersions()).isFalse();
        assertThat(load("keys=a").checksVersions()).isFalse();
        assertThat(load("keys=a").maxTrackedKeys()).isEqualTo(100_000);
    }

    @Test
    void telemetryKeysFromEverySource() {
        assertThat(load("keys=a").telemetryKeys()).isEqualTo(KeyPrivacy.FULL);
        env.put("STATEGUARD_TELEMETRY_KEYS", "hashed");
        assertThat(load("keys=a").telemetryKeys()).isEqualTo(KeyPrivacy.HASHED);
        sys.setProperty("stateguard.telemetry.keys", "NONE");
        assertThat(load("keys=a").telemetryKeys()).isEqualTo(KeyPrivacy.NONE);
        assertThat(load("keys=a;telemetry-keys=full").telemetryKeys()).isEqualTo(KeyPrivacy.FULL);
        assertThat(load("keys=a;telemetry-keys=full").warnings()).isEmpty();
    }

    @Test
    void missingConfigFileIsAnError() {
        env.put("STATEGUARD_CONFIG", "/nonexistent/stateguard.properties");
        assertThatThrownBy(() -> load(null)).isInstanceOf(ConfigException.class)
                .hasMessage("STATEGUARD_CONFIG='/nonexistent/stateguard.properties': configuration file not found");
    }

    @Test
    void failFastIsReadFromEverySourceIncludingTheConfigurationFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("stateguard.properties");
        Files.write(file, List.of("stateguard.fail-fast=true", "stateguard.routing=primry"), StandardCharsets.UTF_8);
        Properties sys = new Properties();
        sys.setProperty("stateguard.config", file.toString());
        assertThat(ConfigLoader.failFastRequested(null, Map.of(), sys)).as("from the file").isTrue();
        assertThat(ConfigLoader.failFastRequested("fail-fast=false", Map.of(), sys))
                .as("the agent arguments win over the file").isFalse();
        assertThat(ConfigLoader.failFastRequested(null, Map.of("STATEGUARD_FAIL_FAST", "true"), new Properties()))
                .as("from the environment").isTrue();
        assertThat(ConfigLoader.failFastRequested(null, Map.of(), new Properties())).as("not set").isFalse();
        Properties missing = new Properties();
        missing.setProperty("stateguard.config", dir.resolve("missing.properties").toString());
        assertThat(ConfigLoader.failFastRequested(null, Map.of(), missing))
                .as("an unreadable file requests nothing").isFalse();
        assertThat(ConfigLoader.failFastRequested("fail-fast=true", Map.of(), missing))
                .as("an unreadable file does not hide the other sources").isTrue();
    }

    /** fail-fast alone, in each source: a later source (environment, system properties, agent arguments) wins. */
    @Test
    void failFastRequestedTakesEachSourceInOrder() {
        Properties sysTrue = new Properties();
        sysTrue.setProperty("stateguard.fail-fast", "true");
        Properties sysFalse = new Properties();
        sysFalse.setProperty("stateguard.fail-fast", "false");
        assertThat(ConfigLoader.failFastRequested(null, Map.of(), sysTrue)).as("system properties alone").isTrue();
        assertThat(ConfigLoader.failFastRequested(null, Map.of("STATEGUARD_FAIL_FAST", "true"), sysFalse))
                .as("system properties win over the environment").isFalse();
        assertThat(ConfigLoader.failFastRequested(null, Map.of("STATEGUARD_FAIL_FAST", "false"), sysTrue))
                .as("system properties win over the environment").isTrue();
        assertThat(ConfigLoader.failFastRequested("fail-fast=false", Map.of(), sysTrue))
                .as("agent arguments win over system properties").isFalse();
        assertThat(ConfigLoader.failFastRequested("fail-fast=true", Map.of(), sysFalse))
                .as("agent arguments win over system properties").isTrue();
    }
}
