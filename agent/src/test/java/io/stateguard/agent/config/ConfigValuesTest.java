package io.stateguard.agent.config;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Values at the edges of what each setting accepts, and how rules describe themselves. */
class ConfigValuesTest {

    private static StateGuardConfig load(String args) {
        return ConfigLoader.load(args, new HashMap<>(), new Properties());
    }

    @Test
    void maxTrackedKeysFromOneToTheLimit() {
        assertThat(load("keys=a;max-tracked-keys=1").maxTrackedKeys()).isEqualTo(1);
        assertThat(load("keys=a;max-tracked-keys= 536870912 ").maxTrackedKeys()).isEqualTo(536_870_912);
        for (String bad : new String[] {"0", "-1", "536870913", "99999999999999999999", "1.5", ""}) {
            assertThatThrownBy(() -> load("keys=a;max-tracked-keys=" + bad)).as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("stateguard.max-tracked-keys='" + bad + "': expected a whole number from 1 to 536870912");
        }
    }

    @Test
    void rulesDescribeThemselvesAsConfigured() {
        StateGuardConfig config = load("keys=gw:state:*,gw:instance:*;rule.cache.keys=c:*;rule.cache.routing=configured;"
                + "rule.v.keys=v:*;rule.v.routing=replica-checked;rule.v.version=json:/version;rule.v.on-regression=fail");
        assertThat(config.rules()).extracting(Rule::toString).containsExactly(
                "default{keys=gw:state:*,gw:instance:*, routing=primary}",
                "cache{keys=c:*, routing=configured}",
                "v{keys=v:*, routing=replica-checked, max-replica-lag=1s, version=json:/version, on-regression=fail}");
        assertThat(config.rules().get(0).patterns()).extracting(p -> p.glob()).containsExactly("gw:state:*", "gw:instance:*");
        assertThat(RoutingMode.PRIMARY.configValue()).isEqualTo("primary");
        assertThat(RoutingMode.CONFIGURED.configValue()).isEqualTo("configured");
        assertThat(RoutingMode.REPLICA_CHECKED.configValue()).isEqualTo("replica-checked");
        assertThat(OnRegression.REREAD_PRIMARY.configValue()).isEqualTo("reread-primary");
        assertThat(OnRegression.FAIL.configValue()).isEqualTo("fail");
        assertThat(OnRegression.REPORT.configValue()).isEqualTo("report");
    }

    @Test
    void anInvalidSettingIsNamedByTheException() {
        assertThatThrownBy(() -> load("keys=a;routing=primry"))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.setting()).isEqualTo("stateguard.routing"));
    }

    @Test
    void failFastIsReadLenientlyFromTheAgentArguments() {
        assertThat(ConfigLoader.failFastRequested("keys=a;fail-fast=true")).isTrue();
        assertThat(ConfigLoader.failFastRequested("fail-fast= TRUE ;routing=primry")).as("other settings may be invalid")
                .isTrue();
        assertThat(ConfigLoader.failFastRequested("keys=a;fail-fast=false")).isFalse();
        assertThat(ConfigLoader.failFastRequested("keys=a;fail-fast=yes")).isFalse();
        assertThat(ConfigLoader.failFastRequested("keys=a")).isFalse();
        assertThat(ConfigLoader.failFastRequested(null)).isFalse();
        assertThat(ConfigLoader.failFastRequested("fail-fast=true;broken")).as("unreadable arguments").isFalse();
    }

    @Test
    void theJvmsOwnSourcesAreRead() {
        StateGuardConfig config = ConfigLoader.load("keys=jvm:*");
        assertThat(config.rules()).singleElement().extracting(Rule::toString).isEqualTo("default{keys=jvm:*, routing=primary}");
    }

    @Test
    void anArgumentNeedsANameBeforeItsEqualsSign() {
        assertThatThrownBy(() -> load("=a")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("agent argument='=a': expected name=value");
        assertThat(load("k=v;keys=a").warnings()).containsExactly(
                "unknown setting stateguard.k (from agent argument) is ignored");
        assertThat(load(" ; keys=a ;; ").rules()).hasSize(1);
    }
}
