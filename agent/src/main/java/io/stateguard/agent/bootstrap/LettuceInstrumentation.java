package io.stateguard.agent.bootstrap;

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
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;

/**
 * Builds the Lettuce instrumentation with Byte Buddy. The only class of the installer that uses
 * Byte Buddy, so that {@link AgentInstaller} (which runs in {@code premain}) loads none of it: at
 * start-up this class is first used on the background installer thread.
 */
final class LettuceInstrumentation {

    private static final Set<String> INSTRUMENTED = ConcurrentHashMap.newKeySet();

    private LettuceInstrumentation() {
    }

    /** Installs the instrumentation and retransforms the Lettuce classes already loaded (attach). */
    static void installOn(Instrumentation instrumentation, File agentJar, boolean checksVersions) throws IOException {
        builder(instrumentation, agentJar, LettuceInstrumentationModule.all(checksVersions), new ModuleSelector[1])
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .installOn(instrumentation);
    }

    /**
     * The instrumentation as a transformer that is not registered (start-up: see
     * {@link DeferredTransformer}), and how to announce the module decision for a class loader.
     */
    static Prepared prepare(Instrumentation instrumentation, File agentJar, boolean checksVersions)
            throws IOException {
        ModuleSelector[] selector = new ModuleSelector[1];
        ClassFileTransformer transformer = builder(instrumentation, agentJar,
                LettuceInstrumentationModule.all(checksVersions), selector).makeRaw();
        return new Prepared(transformer, selector[0]);
    }

    /** A built, unregistered instrumentation. */
    static final class Prepared {

        final ClassFileTransformer transformer;
        private final ModuleSelector selector;

        Prepared(ClassFileTransformer transformer, ModuleSelector selector) {
            this.transformer = transformer;
            this.selector = selector;
        }

        /** Decides (and logs) which module applies to {@code classLoader}, as when one of its Lettuce classes loads. */
        void announce(ClassLoader classLoader) {
            selector.select(classLoader);
        }
    }

    /** Names of the classes instrumented so far. */
    static List<String> instrumented() {
        return new ArrayList<String>(INSTRUMENTED);
    }

    /** The instrumentation of {@code modules}, not yet installed. */
    private static AgentBuilder builder(Instrumentation instrumentation, File agentJar,
            List<InstrumentationModule> modules, ModuleSelector[] selectorOut) throws IOException {
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
        selectorOut[0] = selector;
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
        return builder;
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
