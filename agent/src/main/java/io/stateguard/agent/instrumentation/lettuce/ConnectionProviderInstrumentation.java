package io.stateguard.agent.instrumentation.lettuce;

import io.stateguard.agent.instrumentation.AdviceErrors;
import io.stateguard.agent.instrumentation.ClassShape;
import io.stateguard.agent.instrumentation.ClassShapes;
import io.stateguard.agent.instrumentation.MethodAdvice;
import io.stateguard.agent.instrumentation.MethodMatcher;
import io.stateguard.agent.instrumentation.ParameterType;
import io.stateguard.agent.instrumentation.TypeInstrumentation;
import io.stateguard.agent.instrumentation.TypeTransformer;
import io.stateguard.agent.lettuce.LettuceDispatch;

import static io.stateguard.agent.instrumentation.MethodMatcher.method;

/**
 * A Lettuce connection provider whose {@code getConnectionAsync(intent, ...)} consults the
 * application's {@code ReadFrom} for {@code READ}: {@code MasterReplicaConnectionProvider} (Lettuce 5:
 * {@code MasterSlaveConnectionProvider}; {@code getConnectionAsync(intent)}) and {@code PooledClusterConnectionProvider}
 * ({@code getConnectionAsync(intent, slot)}). The advice swaps {@code READ} for {@code WRITE} when
 * the command being written reads a state key.
 *
 * <p>The intent's type differs by version (a nested {@code Intent} enum up to 6.1, in 5.x of
 * {@code MasterSlaveConnectionProvider} and {@code ClusterConnectionProvider}, the shared
 * {@code io.lettuce.core.protocol.ConnectionIntent} from 6.2), so the argument is matched as "an
 * enum named {@code *Intent} with {@code READ} and {@code WRITE}" and typed dynamically.
 */
public final class ConnectionProviderInstrumentation implements TypeInstrumentation {

    static final String INTENT_ADVICE = ConnectionProviderInstrumentation.class.getName() + "$IntentAdvice";

    private final String className;

    private final int arguments;

    /**
     * @param className the provider class.
     * @param arguments 1 for {@code getConnectionAsync(intent)}, 2 for {@code getConnectionAsync(intent, int slot)}.
     */
    public ConnectionProviderInstrumentation(String className, int arguments) {
        this.className = className;
        this.arguments = arguments;
    }

    @Override
    public String typeName() {
        return className;
    }

    @Override
    public void transform(TypeTransformer transformer) {
        if (arguments == 2) {
            transformer.applyAdviceToMethod(method("getConnectionAsync", new IntentEnum(), ParameterType.INT)
                    .describedAs("getConnectionAsync(intent, int slot) with a READ/WRITE intent enum"),
                    MethodAdvice.to(INTENT_ADVICE, "onEnterSlot", 0, 1).assigning(0));
        } else {
            transformer.applyAdviceToMethod(method("getConnectionAsync", new IntentEnum())
                    .describedAs("getConnectionAsync(intent) with a READ/WRITE intent enum"),
                    MethodAdvice.to(INTENT_ADVICE, "onEnter", 0).assigning(0));
        }
    }

    @Override
    public String toString() {
        return className;
    }

    /**
     * An enum type whose simple name ends in {@code Intent} and that has the constants {@code READ}
     * and {@code WRITE}: the advice swaps one for the other, so an intent of another shape is an
     * unknown version, left alone.
     */
    static final class IntentEnum extends ParameterType {

        @Override
        public boolean matches(String descriptor, ClassShapes classes) {
            if (descriptor.charAt(0) != 'L') {
                return false;
            }
            ClassShape type = classes.find(descriptor.substring(1, descriptor.length() - 1));
            return type != null && type.isEnum() && type.simpleName().endsWith("Intent")
                    && type.hasStaticField("READ") && type.hasStaticField("WRITE");
        }

        @Override
        public String toString() {
            return "an enum *Intent with READ and WRITE";
        }
    }

    /** Called from {@code getConnectionAsync}; returns the intent to use; never throws. */
    public static final class IntentAdvice {

        private IntentAdvice() {
        }

        public static Object onEnter(Object intent) {
            try {
                return LettuceDispatch.routeIntent(intent, -1);
            } catch (Throwable t) {
                AdviceErrors.onSuppressed(t);
                return intent;
            }
        }

        /** Cluster: the slot's shard decides where a causal read may go. */
        public static Object onEnterSlot(Object intent, int slot) {
            try {
                return LettuceDispatch.routeIntent(intent, slot);
            } catch (Throwable t) {
                AdviceErrors.onSuppressed(t);
                return intent;
            }
        }
    }
}
