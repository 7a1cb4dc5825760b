package io.stateguard.agent.bootstrap;

import org.junit.jupiter.api.Test;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DeferredTransformerTest {

    private static final String[] INSTRUMENTED = {"io/lettuce/core/protocol/CommandHandler"};
    private static final byte[] ORIGINAL = {1};
    private static final byte[] CHANGED = {2};
    private static final ClassFileTransformer CHANGES_EVERYTHING = new ClassFileTransformer() {
        @Override
        public byte[] transform(ClassLoader loader, String name, Class<?> type, ProtectionDomain domain,
                byte[] bytes) {
            return CHANGED;
        }
    };

    @Test
    void otherClassesPassWithoutWaiting() throws Exception {
        DeferredTransformer deferred = new DeferredTransformer("io/lettuce/core/", INSTRUMENTED, 60_000);
        assertThat(deferred.transform(null, "com/example/App", null, null, ORIGINAL)).isNull();
        assertThat(deferred.transform(null, "io/lettuce/core/RedisClient", null, null, ORIGINAL)).isNull();
        assertThat(deferred.transform(null, null, null, null, ORIGINAL)).isNull();
    }

    @Test
    void anInstrumentedClassWaitsForTheRealTransformerAndGetsItsResult() throws Exception {
        DeferredTransformer deferred = new DeferredTransformer("io/lettuce/core/", INSTRUMENTED, 60_000);
        CompletableFuture<byte[]> loading = CompletableFuture.supplyAsync(() -> {
            try {
                return deferred.transform(null, "io/lettuce/core/protocol/CommandHandler", null, null, ORIGINAL);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertThat(loading).as("waits while the instrumentation is being built").isNotDone();
        deferred.ready(CHANGES_EVERYTHING, null, loader -> { });
        assertThat(loading.get(10, TimeUnit.SECONDS)).isEqualTo(CHANGED);
        assertThat(deferred.missed()).isEmpty();
    }

    @Test
    void afterReadyEveryInstrumentedClassGoesToTheRealTransformer() throws Exception {
        DeferredTransformer deferred = new DeferredTransformer("io/lettuce/core/", INSTRUMENTED, 60_000);
        deferred.ready(CHANGES_EVERYTHING, null, loader -> { });
        assertThat(deferred.transform(null, "io/lettuce/core/protocol/CommandHandler", null, null, ORIGINAL))
                .isEqualTo(CHANGED);
        assertThat(deferred.transform(null, "io/lettuce/core/RedisClient", null, null, ORIGINAL))
                .as("the rest of Lettuce is seen too, for the version announcement").isEqualTo(CHANGED);
        assertThat(deferred.transform(null, "java/lang/String", null, null, ORIGINAL)).isNull();
    }

    @Test
    void classLoadersThatLoadedThePackageEarlyAreReportedWhenReady() throws Exception {
        DeferredTransformer deferred = new DeferredTransformer("io/lettuce/core/", INSTRUMENTED, 60_000);
        ClassLoader early = new java.net.URLClassLoader(new java.net.URL[0], null);
        deferred.transform(early, "io/lettuce/core/RedisClient", null, null, ORIGINAL);
        deferred.transform(null, "com/example/App", null, null, ORIGINAL);
        java.util.List<ClassLoader> seen = new java.util.ArrayList<>();
        deferred.ready(CHANGES_EVERYTHING, null, seen::add);
        assertThat(seen).containsExactly(early);
    }

    @Test
    void aTimedOutClassLoadsUnchangedAndIsRememberedForRetransformation() throws Exception {
        DeferredTransformer deferred = new DeferredTransformer("io/lettuce/core/", INSTRUMENTED, 50);
        assertThat(deferred.transform(null, "io/lettuce/core/protocol/CommandHandler", null, null, ORIGINAL)).isNull();
        assertThat(deferred.missed()).containsExactly("io.lettuce.core.protocol.CommandHandler");
    }

    @Test
    void whenTheRealTransformerCannotBeBuiltEverythingPassesUnchangedWithoutWaiting() throws Exception {
        DeferredTransformer deferred = new DeferredTransformer("io/lettuce/core/", INSTRUMENTED, 60_000);
        deferred.failed();
        long start = System.nanoTime();
        assertThat(deferred.transform(null, "io/lettuce/core/protocol/CommandHandler", null, null, ORIGINAL)).isNull();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(30);
        assertThat(deferred.missed()).isEmpty();
    }

    @Test
    void aFailingRealTransformerLeavesTheClassUnchanged() throws Exception {
        DeferredTransformer deferred = new DeferredTransformer("io/lettuce/core/", INSTRUMENTED, 60_000);
        deferred.ready(new ClassFileTransformer() {
            @Override
            public byte[] transform(ClassLoader loader, String name, Class<?> type, ProtectionDomain domain,
                    byte[] bytes) {
                throw new IllegalStateException("broken");
            }
        }, null, loader -> { });
        assertThat(deferred.transform(null, "io/lettuce/core/protocol/CommandHandler", null, null, ORIGINAL)).isNull();
    }
}
