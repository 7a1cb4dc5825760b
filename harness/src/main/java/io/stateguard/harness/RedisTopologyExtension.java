package io.stateguard.harness;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A JUnit 5 extension that starts a {@link RedisTopology} once for a test class and closes it after
 * the last test, keeping the Redis logs (and printing their paths) when a test of the class failed.
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
 * @param <T> the topology type
 */
public final class RedisTopologyExtension<T extends RedisTopology>
        implements BeforeAllCallback, AfterAllCallback, TestWatcher {

    private final Supplier<? extends T> starter;

    private final Consumer<? super T> preparation;

    private volatile T topology;

    private RedisTopologyExtension(Supplier<? extends T> starter, Consumer<? super T> preparation) {
        this.starter = Objects.requireNonNull(starter, "starter");
        this.preparation = Objects.requireNonNull(preparation, "preparation");
    }

    /** An extension that starts its topology with {@code starter} (a builder's {@code start()}). */
    public static <T extends RedisTopology> RedisTopologyExtension<T> of(Supplier<? extends T> starter) {
        return new RedisTopologyExtension<>(starter, topology -> { });
    }

    /** The same extension, running {@code preparation} on the started topology before the first test. */
    public RedisTopologyExtension<T> then(Consumer<? super T> preparation) {
        Consumer<? super T> first = this.preparation;
        return new RedisTopologyExtension<T>(starter, topology -> {
            first.accept(topology);
            preparation.accept(topology);
        });
    }

    /**
     * The running topology.
     *
     * @throws IllegalStateException outside the test class's lifetime
     */
    public T get() {
        T current = topology;
        if (current == null) {
            throw new IllegalStateException("the topology runs only while the test class runs"
                    + " (register the extension on a static field with @RegisterExtension)");
        }
        return current;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        T started = starter.get();
        try {
            preparation.accept(started);
        } catch (RuntimeException | Error e) {
            started.markFailed();
            started.close();
            throw e;
        }
        topology = started;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        T current = topology;
        if (current != null) {
            current.markFailed();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        T current = topology;
        topology = null;
        if (current != null) {
            current.close();
        }
    }
}
