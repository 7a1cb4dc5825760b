package io.stateguard.agent.bootstrap;

import io.stateguard.agent.instrumentation.HelperInjector;
import io.stateguard.agent.instrumentation.InstrumentationTransformer;
import io.stateguard.agent.instrumentation.UninstrumentedClients;
import io.stateguard.agent.instrumentation.ModuleSelector;
import io.stateguard.agent.instrumentation.lettuce.LettuceInstrumentationModule;
import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.InternalErrors;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Installs the Lettuce instrumentation: one {@link InstrumentationTransformer} over
 * {@code io.lettuce.core}, the modules of {@link LettuceInstrumentationModule}, and a log line per
 * instrumented class.
 */
final class LettuceInstrumentation {

    private static final Set<String> INSTRUMENTED = ConcurrentHashMap.newKeySet();

    private LettuceInstrumentation() {
    }

    /**
     * Start-up: registers the transformer; Lettuce classes are woven as they load. Cheap: nothing of
     * ASM is loaded until the first instrumented class is.
     */
    static void install(Instrumentation instrumentation, boolean checksVersions) {
        // Retransformation-capable, so that another agent retransforming Lettuce classes later keeps our advice.
        instrumentation.addTransformer(transformer(instrumentation, checksVersions), true);
    }

    /**
     * Attach: registers the transformer, decides the module for every class loader that has Lettuce
     * loaded already, and retransforms its instrumented classes.
     */
    static void installOn(Instrumentation instrumentation, boolean checksVersions) {
        InstrumentationTransformer transformer = transformer(instrumentation, checksVersions);
        instrumentation.addTransformer(transformer, true);
        Set<String> names = transformer.instrumentedClassNames();
        Set<ClassLoader> seen = new LinkedHashSet<ClassLoader>();
        List<Class<?>> loaded = new ArrayList<Class<?>>();
        String lettucePackage = LettuceInstrumentationModule.PACKAGE_PREFIX.replace('/', '.');
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (!type.getName().startsWith(lettucePackage)) {
                String client = UninstrumentedClients.clientOf(type.getName().replace('.', '/'));
                if (client != null) {
                    LISTENER.uninstrumentedClient(client, UninstrumentedClients.location(type.getProtectionDomain()));
                }
                continue;
            }
            if (seen.add(type.getClassLoader())) {
                transformer.selector().select(type.getClassLoader());
            }
            if (names.contains(type.getName()) && instrumentation.isModifiableClass(type)) {
                loaded.add(type);
            }
        }
        if (loaded.isEmpty()) {
            return;
        }
        try {
            instrumentation.retransformClasses(loaded.toArray(new Class<?>[0]));
        } catch (Throwable t) {
            InternalErrors.record("instrumentation", t);
            AgentLog.warn("could not instrument the " + loaded.size() + " Lettuce classes already loaded; they keep"
                    + " their own behaviour (" + t + ")");
        }
    }

    /** Names of the classes instrumented so far. */
    static List<String> instrumented() {
        return new ArrayList<String>(INSTRUMENTED);
    }

    private static InstrumentationTransformer transformer(Instrumentation instrumentation, boolean checksVersions) {
        // One module per class loader, chosen by the classes it has and checked for the expected shape.
        ModuleSelector selector = LettuceInstrumentationModule.selector(checksVersions);
        return new InstrumentationTransformer(LettuceInstrumentationModule.PACKAGE_PREFIX, selector, new HelperInjector(instrumentation),
                LISTENER, LettuceInstrumentationModule.earlyHelpers());
    }

    private static final InstrumentationTransformer.Listener LISTENER = new InstrumentationTransformer.Listener() {
            @Override
            public void instrumented(String className, boolean retransformed) {
                if (INSTRUMENTED.add(className)) {
                    AgentLog.info("instrumented " + className + (retransformed ? " (retransformed)" : ""));
                    AgentInstaller.instrumentedClassesChanged(LettuceInstrumentation.instrumented());
                }
            }

            @Override
            public void uninstrumentedClient(String client, String location) {
                AgentLog.once(AgentLog.Level.WARN, "client:" + client + ":" + location,
                        UninstrumentedClients.warning(client, location, "Lettuce "
                                + LettuceInstrumentationModule.SUPPORTED_VERSIONS), null);
            }

            @Override
            public void failed(String className, Throwable error) {
                InternalErrors.record("instrumentation", error);
                AgentLog.once(AgentLog.Level.WARN, "instrumentation:" + className,
                        "could not instrument " + className + "; it keeps its own behaviour", error);
            }
    };
}
