package io.stateguard.agent.instrumentation.lettuce;

import io.stateguard.agent.instrumentation.Shapes;
import io.stateguard.agent.instrumentation.TypeInstrumentation;
import io.stateguard.agent.instrumentation.TypeTransformer;
import io.stateguard.agent.routing.PrimaryRouting;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

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
    public ElementMatcher<TypeDescription> typeMatcher() {
        return named(className);
    }

    @Override
    public void transform(TypeTransformer transformer) {
        ElementMatcher.Junction<MethodDescription> method = named("getConnectionAsync")
                .and(takesArguments(arguments)).and(takesArgument(0, new IntentEnum()));
        if (arguments == 2) {
            method = method.and(takesArgument(1, int.class));
        }
        transformer.applyAdviceToMethod(Shapes.described(arguments == 2
                ? "getConnectionAsync(intent, int slot) with a READ/WRITE intent enum"
                : "getConnectionAsync(intent) with a READ/WRITE intent enum", method),
                ConnectionProviderInstrumentation.class.getName() + "$IntentAdvice");
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
    static final class IntentEnum extends ElementMatcher.Junction.AbstractBase<TypeDescription> {

        private static final ElementMatcher<FieldDescription> READ = named("READ").and(isStatic());

        private static final ElementMatcher<FieldDescription> WRITE = named("WRITE").and(isStatic());

        @Override
        public boolean matches(TypeDescription target) {
            return target.isEnum() && target.getSimpleName().endsWith("Intent")
                    && !target.getDeclaredFields().filter(READ).isEmpty()
                    && !target.getDeclaredFields().filter(WRITE).isEmpty();
        }

        @Override
        public String toString() {
            return "an enum *Intent with READ and WRITE";
        }
    }

    public static final class IntentAdvice {

        private IntentAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void onEnter(
                @Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object intent) {
            intent = PrimaryRouting.routeIntent(intent);
        }
    }
}
