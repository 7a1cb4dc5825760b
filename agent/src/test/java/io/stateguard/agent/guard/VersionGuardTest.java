package io.stateguard.agent.guard;

import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.telemetry.KeyPrivacy;
import io.stateguard.agent.versions.VersionFailure;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class VersionGuardTest {

    private final VersionGuard guard = new VersionGuard(ConfigLoader.load(
            "keys=s:*;version=json:/version;rule.h.keys=h:*;rule.h.version=hash:v;rule.plain.keys=p:*;rule.plain.version=none",
            new HashMap<>(), new Properties()).rules(), 1000, KeyPrivacy.FULL);

    private static byte[] key(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private static ByteBuffer json(long version) {
        return ByteBuffer.wrap(("{\"state\":\"open\",\"version\":" + version + "}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void onlyRulesWithAVersionSourceCheck() {
        assertThat(guard.checks(0)).isTrue();
        assertThat(guard.checks(1)).isTrue();
        assertThat(guard.checks(2)).isFalse();
        assertThat(guard.checks(-1)).isFalse();
    }

    @Test
    void newerAndEqualVersionsPassOlderOnesRegress() {
        assertThat(guard.check(0, 0, key("s:1"), json(7))).isNull();
        assertThat(guard.check(0, 0, key("s:1"), json(7))).isNull();
        assertThat(guard.check(0, 0, key("s:1"), json(8))).isNull();
        Regression regression = guard.check(0, 0, key("s:1"), json(6));
        assertThat(regression).isNotNull();
        assertThat(regression.type()).isEqualTo(InconsistencyType.VERSION_REGRESSION);
        assertThat(regression.expected()).isEqualTo(8);
        assertThat(regression.observed()).isEqualTo(6);
        assertThat(regression.rule().name()).isEqualTo("default");
        // the mark is not lowered by a regression
        assertThat(guard.check(0, 0, key("s:1"), json(7))).isNotNull();
    }

    @Test
    void databasesAreSeparate() {
        guard.check(0, 0, key("s:db"), json(9));
        assertThat(guard.check(0, 1, key("s:db"), json(1))).isNull();
    }

    @Test
    void nilIsMissingOnlyForAKeyWithAMark() {
        assertThat(guard.check(0, 0, key("s:never"), null)).isNull();
        guard.check(0, 0, key("s:seen"), json(3));
        Regression missing = guard.check(0, 0, key("s:seen"), null);
        assertThat(missing.type()).isEqualTo(InconsistencyType.MISSING);
        assertThat(missing.observedPresent()).isFalse();
        assertThat(missing.expected()).isEqualTo(3);
    }

    @Test
    void ownWritesSetTheMarkEvenBackwards() {
        guard.observeWrite(0, 0, key("s:w"), json(7));
        assertThat(guard.check(0, 0, key("s:w"), json(6))).isNotNull();
        guard.observeWrite(0, 0, key("s:w"), json(2));
        assertThat(guard.check(0, 0, key("s:w"), json(2))).isNull();
    }

    @Test
    void forgetAfterADeleteMakesNilFine() {
        guard.check(0, 0, key("s:d"), json(3));
        guard.forget(0, key("s:d"));
        assertThat(guard.check(0, 0, key("s:d"), null)).isNull();
    }

    @Test
    void primaryOlderThanTheMarkResetsIt() {
        guard.check(0, 0, key("s:p"), json(7));
        Regression replica = guard.check(0, 0, key("s:p"), json(5));
        Regression primary = guard.checkPrimary(replica, json(6));
        assertThat(primary.type()).isEqualTo(InconsistencyType.PRIMARY_REGRESSION);
        assertThat(primary.expected()).isEqualTo(7);
        assertThat(primary.observed()).isEqualTo(6);
        // 6 is the truth now: no more reports for it
        assertThat(guard.check(0, 0, key("s:p"), json(6))).isNull();
    }

    @Test
    void primaryAtOrAboveTheMarkIsFine() {
        guard.check(0, 0, key("s:ok"), json(7));
        Regression replica = guard.check(0, 0, key("s:ok"), json(5));
        assertThat(guard.checkPrimary(replica, json(7))).isNull();
        assertThat(guard.checkPrimary(replica, json(9))).isNull();
        assertThat(guard.check(0, 0, key("s:ok"), json(8))).isNotNull();
    }

    @Test
    void primaryMissingRemovesTheMark() {
        guard.check(0, 0, key("s:gone"), json(4));
        Regression missing = guard.check(0, 0, key("s:gone"), null);
        Regression primary = guard.checkPrimary(missing, null);
        assertThat(primary.type()).isEqualTo(InconsistencyType.PRIMARY_REGRESSION);
        assertThat(guard.check(0, 0, key("s:gone"), null)).isNull();
    }

    @Test
    void badValuesPassUncheckedAndAreCountedByReason() {
        guard.check(0, 0, key("s:bad"), json(5));
        long malformed = guard.unchecked(VersionFailure.MALFORMED_JSON);
        long numeric = guard.unchecked(VersionFailure.NOT_NUMERIC);
        assertThat(guard.check(0, 0, key("s:bad"), ByteBuffer.wrap("{\"version\":".getBytes(StandardCharsets.UTF_8))))
                .isNull();
        assertThat(guard.check(0, 0, key("s:bad"), ByteBuffer.wrap("{\"version\":1.5}".getBytes(StandardCharsets.UTF_8))))
                .isNull();
        assertThat(guard.check(0, 0, key("s:bad"), ByteBuffer.wrap(new byte[] {(byte) 0xff, 0, 1}))).isNull();
        assertThat(guard.check(0, 0, key("s:bad"), ByteBuffer.allocate(16 << 20))).isNull();
        assertThat(guard.unchecked(VersionFailure.MALFORMED_JSON)).isGreaterThan(malformed);
        assertThat(guard.unchecked(VersionFailure.NOT_NUMERIC)).isEqualTo(numeric + 1);
        assertThat(guard.unchecked(VersionFailure.TOO_LARGE)).isPositive();
    }

    @Test
    void hashRulesCheckTheVersionFieldsValue() {
        ByteBuffer seven = ByteBuffer.wrap("7".getBytes(StandardCharsets.UTF_8));
        ByteBuffer six = ByteBuffer.wrap("6".getBytes(StandardCharsets.UTF_8));
        assertThat(guard.check(1, 0, key("h:1"), seven)).isNull();
        assertThat(guard.check(1, 0, key("h:1"), six)).isNotNull();
    }

    @Test
    void racingObserversNeverLoseTheHighestVersion() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int offset = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int v = offset; v < 2000; v += threads) {
                        guard.check(0, 0, key("s:race"), json(v));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(guard.check(0, 0, key("s:race"), json(1998))).isNotNull();
        assertThat(guard.check(0, 0, key("s:race"), json(1999))).isNull();
    }

    /** The exception a {@code fail} policy throws shows the key as {@code stateguard.telemetry.keys} says. */
    @Test
    void failureMessagesShowTheKeyAsTheKeyPrivacySettingSays() {
        guard.observeWrite(0, 0, key("s:1"), ByteBuffer.wrap("{\"version\":7}".getBytes(StandardCharsets.UTF_8)));
        Regression regression = guard.check(0, 0, key("s:1"),
                ByteBuffer.wrap("{\"version\":6}".getBytes(StandardCharsets.UTF_8)));
        assertThat(regression.failureMessage("GET", KeyPrivacy.FULL))
                .isEqualTo("StateGuard: stale state for key 's:1' (rule default, GET): expected version >= 7, observed 6");
        assertThat(regression.failureMessage("GET", KeyPrivacy.HASHED))
                .isEqualTo("StateGuard: stale state for key '" + KeyPrivacy.hash(key("s:1"))
                        + "' (rule default, GET): expected version >= 7, observed 6")
                .doesNotContain("s:1");
        assertThat(regression.failureMessage("GET", KeyPrivacy.NONE))
                .isEqualTo("StateGuard: stale state for a key (rule default, GET): expected version >= 7, observed 6");
        Regression missing = guard.check(0, 0, key("s:1"), null);
        assertThat(missing.failureMessage("GET", KeyPrivacy.NONE))
                .isEqualTo("StateGuard: stale state for a key (rule default, GET): expected version >= 7, observed a missing value");
    }
}
