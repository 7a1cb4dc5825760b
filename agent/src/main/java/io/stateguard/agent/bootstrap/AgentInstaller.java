package io.stateguard.agent.bootstrap;

import io.stateguard.agent.config.ConfigException;
import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.config.StateGuardConfig;
import io.stateguard.agent.instrumentation.AdviceErrors;
import io.stateguard.agent.instrumentation.ClassLoaderMatchers;
import io.stateguard.agent.instrumentation.HelperInjector;
import io.stateguard.agent.instrumentation.InstrumentationModule;
import io.stateguard.agent.instrumentation.TypeInstrumentation;
import io.stateguard.agent.instrumentation.TypeTransformer;
import io.stateguard.agent.instrumentation.lettuce.LettuceInstrumentationModule;
import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.guard.VersionGuard;
import io.stateguard.agent.lettuce.LettuceGuard;
import io.stateguard.agent.routing.PrimaryRouting;
import io.stateguard.agent.routing.RoutingPolicy;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.bytecode.member.MethodInvocation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

import java.io.File;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;

/**
 * Reads the configuration and installs the instrumentation. Loaded from the bootstrap class path
 * by {@link StateGuardAgent}, so exactly one instance of its state exists per JVM.
 */
public final class AgentInstaller {

    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    private static final Set<String> INSTRUMENTED = ConcurrentHashMap.newKeySet();


    private AgentInstaller() {
    }

    /**
     * Starts the agent. Never throws into the JVM's start-up, except that with
     * {@code stateguard.fail-fast=true} an invalid configuration exits the JVM (at start-up) or
     * fails the attach (when attached) with an {@link IllegalStateException}.
     */
    public static void install(String agentArgs, Instrumentation instrumentation, boolean attached, File agentJar,
            String version) {
        if (!INSTALLED.compareAndSet(false, true)) {
            AgentLog.warn("StateGuard " + version + " is already installed in this JVM; the second load is ignored");
            return;
        }
        long start = System.nanoTime();
        StateGuardConfig config;
        try {
            config = ConfigLoader.load(agentArgs);
        } catch (ConfigException e) {
            boolean failFast = ConfigLoader.failFastRequested(agentArgs);
            AgentLog.error("invalid configuration: " + e.getMessage() + "; StateGuard is disabled"
                    + (failFast ? " and stateguard.fail-fast=true stops the JVM" : ", the application runs without it"));
            if (failFast) {
                if (attached) {
                    throw new IllegalStateException("StateGuard: invalid configuration: " + e.getMessage());
                }
                System.exit(1);
            }
            return;
        }
        AgentLog.setThreshold(config.logLevel());
        for (String warning : config.warnings()) {
            AgentLog.warn(warning);
        }
        if (!config.enabled()) {
            AgentLog.info("StateGuard " + version + " is disabled (stateguard.enabled=false)");
            return;
        }
        if (config.rules().isEmpty()) {
            AgentLog.warn("StateGuard " + version + " has no state-key rules (set stateguard.keys or"
                    + " stateguard.rule.<name>.keys); it instruments nothing");
            return;
        }
        try {
            RoutingPolicy policy = RoutingPolicy.of(config.rules());
            PrimaryRouting.install(policy);
            if (config.checksVersions()) {
                LettuceGuard.install(new VersionGuard(config.rules(), config.maxTrackedKeys()), policy.matcher());
            }
            List<InstrumentationModule> modules = Collections.<InstrumentationModule>singletonList(
                    new LettuceInstrumentationModule(config.checksVersions()));
            installInstrumentation(instrumentation, agentJar, modules);
        } catch (Throwable t) {
            PrimaryRouting.uninstall();
            LettuceGuard.uninstall();
            InternalErrors.record("install", t);
            AgentLog.error("could not install the instrumentation; StateGuard is disabled, the application runs"
                    + " without it", t);
            return;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        AgentLog.info("StateGuard " + version + " started in " + millis + " ms" + (attached ? " (attached)" : "")
                + "; rules: " + describe(config.rules()) + "; instrumented: "
                + (INSTRUMENTED.isEmpty() ? "none yet (Lettuce classes are instrumented when they load)"
                        : String.join(", ", new ArrayList<>(INSTRUMENTED))));
    }

    private static String describe(List<Rule> rules) {
        StringBuilder text = new StringBuilder();
        for (Rule rule : rules) {
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(rule);
        }
        return text.toString();
    }

    private static void installInstrumentation(Instrumentation instrumentation, File agentJar,
            List<InstrumentationModule> modules) throws IOException {
        ClassFileLocator adviceLocator = ClassFileLocator.ForJarFile.of(agentJar);
        Advice.ExceptionHandler suppressed;
        try {
            suppressed = new Advice.ExceptionHandler.Simple(MethodInvocation.invoke(
                    new MethodDescription.ForLoadedMethod(AdviceErrors.class.getMethod("onSuppressed", Throwable.class))));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }

        AgentBuilder builder = new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
                // Retransformation may not add fields or methods: advice is inlined, state lives in
                // side tables, so attaching to a running JVM works like start-up.
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
                .with(new Listener())
                .ignore(not(nameStartsWith("io.lettuce.core.")));

        HelperInjector helpers = new HelperInjector(adviceLocator,
                // by name: loading the class here would need Lettuce on the agent's own class path
                "io.stateguard.agent.api.StaleStateException");
        ElementMatcher.Junction<ClassLoader> seesAgent = ClassLoaderMatchers.seesClass(AdviceErrors.class);
        List<ElementMatcher<ClassLoader>> supported = new ArrayList<>();
        for (InstrumentationModule module : modules) {
            ElementMatcher<ClassLoader> applies = seesAgent.and(module.classLoaderMatcher());
            supported.add(applies);
            for (TypeInstrumentation type : module.typeInstrumentations()) {
                final AgentBuilder.Transformer.ForAdvice[] advice = {new AgentBuilder.Transformer.ForAdvice()
                        .include(adviceLocator).withExceptionHandler(suppressed)};
                type.transform(new TypeTransformer() {
                    @Override
                    public void applyAdviceToMethod(ElementMatcher<? super MethodDescription> methodMatcher,
                            String adviceClassName) {
                        advice[0] = advice[0].advice(methodMatcher, adviceClassName);
                    }
                });
                builder = builder.type(type.typeMatcher(), applies).transform(helpers).transform(advice[0]);
            }
        }
        // Lettuce that no module applies to: say so once per class loader, change nothing.
        builder = builder.type(named("io.lettuce.core.AbstractRedisClient"), new Unsupported(supported))
                .transform(new AgentBuilder.Transformer() {
                    @Override
                    public DynamicType.Builder<?> transform(DynamicType.Builder<?> type, TypeDescription description,
                            ClassLoader classLoader, JavaModule module, ProtectionDomain domain) {
                        String why = seesAgent.matches(classLoader)
                                ? "is not a supported version (6.1+ and 7.x are)"
                                : "is loaded by a class loader that cannot see the agent's classes";
                        AgentLog.once(AgentLog.Level.WARN, "unsupported:" + System.identityHashCode(classLoader),
                                "Lettuce from " + source(domain) + " " + why + "; StateGuard leaves it unchanged",
                                null);
                        return type;
                    }
                });
        builder.installOn(instrumentation);
    }

    static String source(ProtectionDomain domain) {
        try {
            if (domain != null && domain.getCodeSource() != null && domain.getCodeSource().getLocation() != null) {
                String path = domain.getCodeSource().getLocation().getPath();
                return path.substring(path.lastIndexOf('/', path.length() - 2) + 1);
            }
        } catch (RuntimeException e) {
            // fall through
        }
        return "an unknown location";
    }

    /** A class loader that has Lettuce but matches no module. */
    private static final class Unsupported extends ElementMatcher.Junction.AbstractBase<ClassLoader> {

        private final List<ElementMatcher<ClassLoader>> supported;

        Unsupported(List<ElementMatcher<ClassLoader>> supported) {
            this.supported = supported;
        }

        @Override
        public boolean matches(ClassLoader target) {
            for (ElementMatcher<ClassLoader> matcher : supported) {
                if (matcher.matches(target)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Logs each instrumented class once, and counts instrumentation errors. */
    private static final class Listener extends AgentBuilder.Listener.Adapter {

        @Override
        public void onTransformation(TypeDescription type, ClassLoader classLoader, JavaModule module, boolean loaded,
                DynamicType dynamicType) {
            if (type.getName().equals("io.lettuce.core.AbstractRedisClient")) {
                return;
            }
            if (INSTRUMENTED.add(type.getName())) {
                AgentLog.info("instrumented " + type.getName() + (loaded ? " (retransformed)" : ""));
            }
        }

        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
                Throwable throwable) {
            InternalErrors.record("instrumentation", throwable);
            AgentLog.once(AgentLog.Level.WARN, "instrumentation:" + typeName,
                    "could not instrument " + typeName + "; it keeps its own behaviour", throwable);
        }
    }
}
