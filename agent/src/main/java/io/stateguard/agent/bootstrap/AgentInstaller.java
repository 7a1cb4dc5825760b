package io.stateguard.agent.bootstrap;

import io.stateguard.agent.config.ConfigException;
import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.config.StateGuardConfig;
import io.stateguard.agent.instrumentation.AdviceErrors;
import io.stateguard.agent.instrumentation.ClassLoaderMatchers;
import io.stateguard.agent.instrumentation.HelperInjector;
import io.stateguard.agent.instrumentation.InstrumentationModule;
import io.stateguard.agent.instrumentation.ModuleSelector;
import io.stateguard.agent.instrumentation.TypeInstrumentation;
import io.stateguard.agent.instrumentation.TypeTransformer;
import io.stateguard.agent.instrumentation.lettuce.LettuceInstrumentationModule;
import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.guard.Inconsistencies;
import io.stateguard.agent.guard.LoggingReporter;
import io.stateguard.agent.guard.VersionGuard;
import io.stateguard.agent.lettuce.LettuceGuard;
import io.stateguard.agent.routing.PrimaryRouting;
import io.stateguard.agent.routing.RoutingPolicy;
import io.stateguard.agent.telemetry.Telemetry;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.Nexus;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.bytecode.member.MethodInvocation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

import java.io.File;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;

/**
 * Reads the configuration and installs the instrumentation. Loaded from the bootstrap class path
 * by {@link StateGuardAgent}, so exactly one instance of its state exists per JVM.
 */
public final class AgentInstaller {

    /**
     * Set once the agent is active in this JVM: its version. Not below {@code stateguard.}, where
     * every system property is read as a setting.
     */
    public static final String VERSION_PROPERTY = "io.stateguard.agent.version";

    /** How the last start of the agent in this JVM ended: {@code active; ...} or {@code disabled: <why>}. */
    public static final String STATUS_PROPERTY = "io.stateguard.agent.status";

    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    private static final Set<String> INSTRUMENTED = ConcurrentHashMap.newKeySet();


    private AgentInstaller() {
    }

    /**
     * Starts the agent. Never throws into the JVM's start-up, except that with
     * {@code stateguard.fail-fast=true} an invalid configuration exits the JVM (at start-up) or
     * fails the attach (when attached) with an {@link IllegalStateException}.
     *
     * <p>The outcome is published in the system properties {@link #STATUS_PROPERTY} and, once the
     * agent is active, {@link #VERSION_PROPERTY}: the {@code attach} command reads them through the
     * Attach API to refuse a second load and to report the result. An agent that did not activate
     * (invalid configuration, disabled, no rules) can be attached again with other settings.
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
            notActive("disabled: invalid configuration: " + e.getMessage());
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
            notActive("disabled: stateguard.enabled=false");
            return;
        }
        if (config.rules().isEmpty()) {
            AgentLog.warn("StateGuard " + version + " has no state-key rules (set stateguard.keys or"
                    + " stateguard.rule.<name>.keys); it instruments nothing");
            notActive("disabled: no state-key rules (set stateguard.keys or stateguard.rule.<name>.keys)");
            return;
        }
        try {
            RoutingPolicy policy = RoutingPolicy.of(config.rules());
            installTelemetry(config, policy, version);
            PrimaryRouting.install(policy);
            if (config.checksVersions()) {
                LettuceGuard.install(new VersionGuard(config.rules(), config.maxTrackedKeys()), policy.matcher());
            }
            installInstrumentation(instrumentation, agentJar, LettuceInstrumentationModule.all(config.checksVersions()));
        } catch (Throwable t) {
            PrimaryRouting.uninstall();
            LettuceGuard.uninstall();
            InternalErrors.record("install", t);
            AgentLog.error("could not install the instrumentation; StateGuard is disabled, the application runs"
                    + " without it", t);
            // Not reset: a transformer may have been registered before the failure.
            setProperty(STATUS_PROPERTY, "disabled: could not install the instrumentation (" + t + ")");
            return;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        String summary = "rules: " + describe(config.rules()) + "; instrumented: "
                + (INSTRUMENTED.isEmpty() ? "none yet (Lettuce classes are instrumented when they load)"
                        : String.join(", ", new ArrayList<>(INSTRUMENTED)));
        setProperty(VERSION_PROPERTY, version);
        setProperty(STATUS_PROPERTY, "active" + (attached ? " (attached)" : "") + "; " + summary);
        AgentLog.info("StateGuard " + version + " started in " + millis + " ms" + (attached ? " (attached)" : "")
                + "; " + summary);
    }

    /**
     * Inconsistencies are always logged (rate-limited), and also become spans once telemetry finds a
     * backend. Nothing of OpenTelemetry is looked up here: see {@link Telemetry}.
     */
    private static void installTelemetry(StateGuardConfig config, RoutingPolicy policy, String version) {
        try {
            List<String> ruleNames = new ArrayList<>();
            for (Rule rule : policy.rules()) {
                ruleNames.add(rule.name());
            }
            Telemetry.install(config.telemetryKeys(), ruleNames, version,
                    Telemetry.exporterConfigured(System.getenv(), System.getProperties()));
            Inconsistencies.setReporters(new LoggingReporter(10, config.telemetryKeys()), Telemetry.reporter());
        } catch (Throwable t) {
            // Telemetry is an extra: without it, routing and the guard still work, and events are logged.
            InternalErrors.record("telemetry.install", t);
            Inconsistencies.setReporter(new LoggingReporter(10, config.telemetryKeys()));
        }
    }

    /** The agent did not activate: a later load (an attach with other settings) may try again. */
    private static void notActive(String status) {
        setProperty(STATUS_PROPERTY, status);
        INSTALLED.set(false);
    }

    private static void setProperty(String name, String value) {
        try {
            System.setProperty(name, value);
        } catch (RuntimeException e) {
            // a security manager may forbid it; the attach command then cannot tell, nothing else changes
        }
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

        // Byte Buddy's Nexus serves self-initialising generated types, which advice never needs; left
        // enabled, creating an AgentBuilder reaches for sun.misc.Unsafe, which Java 24+ reports on the
        // application's standard error. The property's name is relocated with Byte Buddy, so it
        // concerns this agent's copy only.
        if (System.getProperty(Nexus.PROPERTY) == null) {
            System.setProperty(Nexus.PROPERTY, "true");
        }
        // Advice only rewrites methods a class declares, so the method graph of its super types is never
        // needed. Computing it would resolve every interface, and another agent that ran first may have
        // added interfaces it generates at run time without a class file (the OpenTelemetry Java agent's
        // VirtualFieldAccessor$... on Netty handlers such as Lettuce's CommandHandler): the advice
        // would then not be applied at all.
        AgentBuilder builder = new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED)
                .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE))
                // Retransformation may not add fields or methods: advice is inlined, state lives in
                // side tables, so attaching to a running JVM works like start-up.
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
                .with(new Listener())
                .ignore(not(nameStartsWith("io.lettuce.core.")));

        HelperInjector helpers = new HelperInjector(adviceLocator, instrumentation,
                // by name: loading the class here would need Lettuce on the agent's own class path
                "io.stateguard.agent.api.StaleStateException");
        ElementMatcher.Junction<ClassLoader> seesAgent = ClassLoaderMatchers.seesClass(AdviceErrors.class);
        // One module per class loader, chosen by the classes it has and checked for the expected shape;
        // the choice (or why there is none) is logged once per class loader.
        ModuleSelector selector = new ModuleSelector("Lettuce", LettuceInstrumentationModule.LETTUCE_PROBE_CLASS,
                LettuceInstrumentationModule.SUPPORTED_VERSIONS, modules, seesAgent);
        builder = builder.type(any(), selector.announcer()).transform(new AgentBuilder.Transformer() {
            @Override
            public DynamicType.Builder<?> transform(DynamicType.Builder<?> type, TypeDescription description,
                    ClassLoader classLoader, JavaModule module, ProtectionDomain domain) {
                return type;
            }
        });
        for (InstrumentationModule module : modules) {
            ElementMatcher<ClassLoader> applies = selector.selects(module);
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
        builder.installOn(instrumentation);
    }

    /** Logs each instrumented class once, and counts instrumentation errors. */
    private static final class Listener extends AgentBuilder.Listener.Adapter {

        @Override
        public void onTransformation(TypeDescription type, ClassLoader classLoader, JavaModule module, boolean loaded,
                DynamicType dynamicType) {
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
