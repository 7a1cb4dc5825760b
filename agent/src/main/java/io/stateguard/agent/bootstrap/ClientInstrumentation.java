package io.stateguard.agent.bootstrap;

import io.stateguard.agent.instrumentation.EarlyHelpers;
import io.stateguard.agent.instrumentation.HelperInjector;
import io.stateguard.agent.instrumentation.InstrumentationTransformer;
import io.stateguard.agent.instrumentation.UninstrumentedClients;
import io.stateguard.agent.instrumentation.ModuleSelector;
import io.stateguard.agent.instrumentation.lettuce.LettuceInstrumentationModule;
import io.stateguard.agent.instrumentation.redisson.RedissonInstrumentationModule;
import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.InternalErrors;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Installs the instrumentation of the Redis clients the agent supports, Lettuce and Redisson: per client
 * one {@link InstrumentationTransformer} over its package, its modules ({@link LettuceInstrumentationModule},
 * {@link RedissonInstrumentationModule}), and a log line per instrumented class.
 */
final class ClientInstrumentation {

    /** The clients the agent instruments, in words, for the warning about one it does not. */
    static final String INSTRUMENTED_CLIENTS = "Lettuce " + LettuceInstrumentationModule.SUPPORTED_VERSIONS
            + ", and Redisson " + RedissonInstrumentationModule.SUPPORTED_VERSIONS;

    private static final Set<String> INSTRUMENTED = ConcurrentHashMap.newKeySet();


    private ClientInstrumentation() {
    }

    /**
     * Start-up: registers the transformers; client classes are woven as they load. Cheap: nothing of
     * ASM is loaded until the first instrumented class is.
     */
    static void install(Instrumentation instrumentation, boolean seesReplies, boolean versionChecks) {
        // Retransformation-capable, so that another agent retransforming client classes later keeps our advice.
        for (InstrumentationTransformer transformer : transformers(instrumentation, seesReplies, versionChecks)) {
            instrumentation.addTransformer(transformer, true);
        }
    }

    /**
     * Attach: registers the transformers, decides the module for every class loader that has a client
     * loaded already, and retransforms its instrumented classes.
     */
    static void installOn(Instrumentation instrumentation, boolean seesReplies, boolean versionChecks) {
        List<InstrumentationTransformer> transformers = transformers(instrumentation, seesReplies, versionChecks);
        List<String> packages = new ArrayList<String>();
        List<Set<ClassLoader>> seen = new ArrayList<Set<ClassLoader>>();
        for (InstrumentationTransformer transformer : transformers) {
            instrumentation.addTransformer(transformer, true);
            packages.add(transformer.packagePrefix().replace('/', '.'));
            seen.add(new LinkedHashSet<ClassLoader>());
        }
        List<Class<?>> loaded = new ArrayList<Class<?>>();
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            int library = -1;
            for (int i = 0; i < packages.size(); i++) {
                if (type.getName().startsWith(packages.get(i))) {
                    library = i;
                    break;
                }
            }
            if (library < 0) {
                String client = UninstrumentedClients.clientOf(type.getName().replace('.', '/'));
                if (client != null) {
                    LISTENER.uninstrumentedClient(client, UninstrumentedClients.location(type.getProtectionDomain()));
                }
                continue;
            }
            InstrumentationTransformer transformer = transformers.get(library);
            if (seen.get(library).add(type.getClassLoader())) {
                transformer.selector().select(type.getClassLoader());
            }
            if (transformer.instrumentedClassNames().contains(type.getName()) && instrumentation.isModifiableClass(type)) {
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
            AgentLog.warn("could not instrument the " + loaded.size() + " client classes already loaded; they keep"
                    + " their own behaviour (" + t + ")");
        }
    }

    /** Names of the classes instrumented so far. */
    static List<String> instrumented() {
        return new ArrayList<String>(INSTRUMENTED);
    }

    /**
     * @param seesReplies whether command completions are seen (Lettuce's {@code CommandHandler.complete}, Redisson's
     *     {@code RedisExecutor.handleSuccess}): to check versions and to time causal writes' acknowledgements
     * @param versionChecks whether replies are read for versions (Redisson's {@code CommandDecoder} too)
     */
    private static List<InstrumentationTransformer> transformers(Instrumentation instrumentation, boolean seesReplies,
            boolean versionChecks) {
        // One module per class loader, chosen by the classes it has and checked for the expected shape.
        List<InstrumentationTransformer> transformers = new ArrayList<InstrumentationTransformer>();
        HelperInjector helpers = new HelperInjector(instrumentation);
        transformers.add(new InstrumentationTransformer(LettuceInstrumentationModule.PACKAGE_PREFIX,
                LettuceInstrumentationModule.selector(seesReplies), helpers, LISTENER,
                LettuceInstrumentationModule.earlyHelpers()));
        ModuleSelector redisson = RedissonInstrumentationModule.selector(seesReplies, versionChecks);
        transformers.add(new InstrumentationTransformer(RedissonInstrumentationModule.PACKAGE_PREFIX, redisson, helpers,
                LISTENER, EarlyHelpers.none()));
        return transformers;
    }

    private static final InstrumentationTransformer.Listener LISTENER = new InstrumentationTransformer.Listener() {
            @Override
            public void instrumented(String className, boolean retransformed) {
                if (INSTRUMENTED.add(className)) {
                    AgentLog.info("instrumented " + className + (retransformed ? " (retransformed)" : ""));
                    AgentInstaller.instrumentedClassesChanged(ClientInstrumentation.instrumented());
                }
            }

            @Override
            public void uninstrumentedClient(String client, String location) {
                AgentLog.once(AgentLog.Level.WARN, "client:" + client + ":" + location,
                        UninstrumentedClients.warning(client, location, INSTRUMENTED_CLIENTS), null);
            }

            @Override
            public void failed(String className, Throwable error) {
                InternalErrors.record("instrumentation", error);
                AgentLog.once(AgentLog.Level.WARN, "instrumentation:" + className,
                        "could not instrument " + className + "; it keeps its own behaviour", error);
            }
    };
}
