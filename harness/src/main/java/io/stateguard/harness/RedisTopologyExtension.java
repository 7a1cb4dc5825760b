package io.stateguard.harness;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A JUnit 5 extension that starts a {@link RedisTopology} once for a test class and closes it after
 * the last test, keeping the Redis logs (and printing their paths) when a test of the class failed, or the
 * class's own set-up or tear-down ({@code @BeforeAll}, {@code @AfterAll}) did.
 *
 * <pre>{@code
 * class GatewayTest {
 *
 *     @RegisterExtension
 *     static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
 *             .of(() -> PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start())
 *             .then(redis -> redis.lagProxy(0).setDelayMillis(150));
 *
 *     @Test
 *     void statusNeverGoesBackwards() {
 *         PrimaryReplicaTopology redis = REDIS.get();
 *         // run your gateway against redis.primary().uri() + "," + redis.replica(0).uri()
 *     }
 * }
 * }</pre>
 *
 * <p>Two other scopes, for topologies not every test needs: {@link #onFirstUse()} starts the class's
 * topology at the first {@link #get()} (never, if no test asks for it), and {@link #perTest()} gives each
 * test that calls {@link #get()} a topology of its own, closed after that test and keeping its logs if that
 * test failed. Tests of one class must not run concurrently with each other.
 *
 * @param <T> the topology type
 */
public final class RedisTopologyExtension<T extends RedisTopology>
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, TestWatcher {

    private enum Scope {
        /** Started before the first test of the class, closed after the last. */
        CLASS,
        /** Started by the first {@link #get()} while the class runs, closed after the last test. */
        CLASS_ON_FIRST_USE,
        /** Started by the first {@link #get()} of a test, closed after that test. */
        TEST
    }

    private final Supplier<? extends T> starter;

    private final Consumer<? super T> preparation;

    private final Scope scope;

    private volatile T topology;

    /** Whether the test class is running (between {@code beforeAll} and {@code afterAll}). */
    private volatile boolean classRunning;

    /** Whether a test is running (between {@code beforeEach} and {@code afterEach}). */
    private volatile boolean testRunning;

    private RedisTopologyExtension(Supplier<? extends T> starter, Consumer<? super T> preparation, Scope scope) {
        this.starter = Objects.requireNonNull(starter, "starter");
        this.preparation = Objects.requireNonNull(preparation, "preparation");
        this.scope = scope;
    }

    /** An extension that starts its topology with {@code starter} (a builder's {@code start()}). */
    public static <T extends RedisTopology> RedisTopologyExtension<T> of(Supplier<? extends T> starter) {
        return new RedisTopologyExtension<>(starter, topology -> { }, Scope.CLASS);
    }

    /**
     * The same extension, running {@code preparation} on the started topology before it is used (before the
     * first test, or at the first {@link #get()} with {@link #onFirstUse()} or {@link #perTest()}).
     */
    public RedisTopologyExtension<T> then(Consumer<? super T> preparation) {
        Consumer<? super T> first = this.preparation;
        return new RedisTopologyExtension<T>(starter, topology -> {
            first.accept(topology);
            preparation.accept(topology);
        }, scope);
    }

    /**
     * The same extension, starting the class's topology at the first {@link #get()} instead of before the
     * first test: a class whose tests may all be skipped (say, by an assumption checked first) starts no Redis.
     * The topology is still closed after the last test of the class.
     */
    public RedisTopologyExtension<T> onFirstUse() {
        return new RedisTopologyExtension<T>(starter, preparation, Scope.CLASS_ON_FIRST_USE);
    }

    /**
     * The same extension, giving each test that calls {@link #get()} a topology of its own, started at that
     * test's first {@link #get()} and closed after the test ({@code @AfterEach} methods included), with its logs
     * kept if the test failed. Tests that do not call {@link #get()} start nothing.
     */
    public RedisTopologyExtension<T> perTest() {
        return new RedisTopologyExtension<T>(starter, preparation, Scope.TEST);
    }

    /**
     * The running topology (started now, with {@link #onFirstUse()} or {@link #perTest()}, if it is not yet).
     *
     * @throws IllegalStateException outside the test class's lifetime, or outside a test with {@link #perTest()}
     */
    public T get() {
        T current = topology;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (topology == null) {
                if (!classRunning || scope == Scope.CLASS) {
                    throw new IllegalStateException("the topology runs only while the test class runs"
                            + " (register the extension on a static field with @RegisterExtension)");
                }
                if (scope == Scope.TEST && !testRunning) {
                    throw new IllegalStateException("a per-test topology runs only while a test runs"
                            + " (not in @BeforeAll or @AfterAll)");
                }
                topology = start();
            }
            return topology;
        }
    }

    private T start() {
        T started = starter.get();
        try {
            preparation.accept(started);
        } catch (RuntimeException | Error e) {
            started.markFailed();
            started.close();
            throw e;
        }
        return started;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        classRunning = true;
        if (scope == Scope.CLASS) {
            topology = start();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        testRunning = true;
    }

    /** A per-test topology closes here (before {@link #testFailed}), keeping its logs if the test failed. */
    @Override
    public void afterEach(ExtensionContext context) {
        testRunning = false;
        if (scope == Scope.TEST) {
            closeKeepingLogsIf(context.getExecutionException().isPresent());
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        T current = topology;
        if (current != null && scope != Scope.TEST) {
            current.markFailed();
        }
    }

    /** Keeps the logs also when the class's own {@code @BeforeAll} or {@code @AfterAll} failed. */
    @Override
    public void afterAll(ExtensionContext context) {
        classRunning = false;
        closeKeepingLogsIf(context.getExecutionException().isPresent());
    }

    private void closeKeepingLogsIf(boolean failed) {
        T current;
        synchronized (this) {
            current = topology;
            topology = null;
        }
        if (current != null) {
            if (failed) {
                current.markFailed();
            }
            current.close();
        }
    }
}
