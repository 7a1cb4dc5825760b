package io.stateguard.agent.instrumentation.lettuce;

import io.stateguard.agent.instrumentation.TypeInstrumentation;
import io.stateguard.agent.instrumentation.TypeTransformer;
import io.stateguard.agent.routing.PrimaryRouting;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * A Lettuce connection provider whose {@code getConnectionAsync(intent, ...)} consults the
 * application's {@code ReadFrom} for {@code READ}: {@code MasterReplicaConnectionProvider}
 * ({@code getConnectionAsync(intent)}) and {@code PooledClusterConnectionProvider}
 * ({@code getConnectionAsync(intent, slot)}). The advice swaps {@code READ} for {@code WRITE} when
 * the command being written reads a state key.
 *
 * <p>The intent's type differs by version (a nested {@code Intent} enum up to 6.1, the shared
 * {@code io.lettuce.core.protocol.ConnectionIntent} from 6.2), so the argument is matched as "an
 * enum named {@code *Intent}" and typed dynamically.
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
    public ElementMatcher<TypeDescription> typeMatcher() {
        return named(className);
    }

    @Override
    public void transform(TypeTransformer transformer) {
        ElementMatcher.Junction<net.bytebuddy.description.method.MethodDescription> method = named("getConnectionAsync")
                .and(takesArguments(arguments)).and(takesArgument(0, new IntentEnum()));
        if (arguments == 2) {
            method = method.and(takesArgument(1, int.class));
        }
        transformer.applyAdviceToMethod(method, ConnectionProviderInstrumentation.class.getName() + "$IntentAdvice");
    }

    @Override
    public String toString() {
        return className;
    }

    /** An enum type whose simple name ends in {@code Intent}. */
    static final class IntentEnum extends ElementMatcher.Junction.AbstractBase<TypeDescription> {

        @Override
        public boolean matches(TypeDescription target) {
            return target.isEnum() && target.getSimpleName().endsWith("Intent");
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
