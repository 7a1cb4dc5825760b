package io.stateguard.agent.instrumentation;

import io.stateguard.agent.internal.AgentLog;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agent's class file transformer for one library: for every class of the library's package it
 * makes sure the {@link ModuleSelector} has decided (and logged) which module applies to the class
 * loader, and weaves the selected module's advice into the classes it names, after defining its
 * helper classes there. Everything else passes at the cost of a string prefix test.
 *
 * <p>Creating it loads no bytecode library: ASM is loaded when the first instrumented class is
 * woven, so installing the agent costs next to nothing at start-up. Never throws into the JVM: a
 * failure leaves the class as it was and is reported to the {@link Listener}.
 */
public final class InstrumentationTransformer implements ClassFileTransformer {

    /** Told what the transformer did. */
    public interface Listener {

        /** {@code className} was woven; {@code retransformed} when it was loaded already (attach). */
        void instrumented(String className, boolean retransformed);

        /** {@code className} could not be woven and keeps its own behaviour. */
        void failed(String className, Throwable error);
    }

    private final String packagePrefix;
    private final ModuleSelector selector;
    private final HelperInjector helpers;
    private final Listener listener;
    /** Per module: internal name of each instrumented class, and the advice it gets. */
    private final Map<InstrumentationModule, Map<String, List<AdviceWeaver.Binding>>> bindings =
            new IdentityHashMap<InstrumentationModule, Map<String, List<AdviceWeaver.Binding>>>();
    private final Map<InstrumentationModule, List<String>> helperClassNames =
            new IdentityHashMap<InstrumentationModule, List<String>>();
    private final Set<String> instrumentedClassNames = new LinkedHashSet<String>();

    /**
     * @param packagePrefix internal name prefix of the library's classes, such as {@code io/lettuce/core/}.
     */
    public InstrumentationTransformer(String packagePrefix, ModuleSelector selector, HelperInjector helpers,
            Listener listener) {
        this.packagePrefix = packagePrefix;
        this.selector = selector;
        this.helpers = helpers;
        this.listener = listener;
        for (InstrumentationModule module : selector.modules()) {
            Map<String, List<AdviceWeaver.Binding>> types = new HashMap<String, List<AdviceWeaver.Binding>>();
            Set<String> helpersOfModule = new LinkedHashSet<String>(module.helperClassNames());
            for (TypeInstrumentation type : module.typeInstrumentations()) {
                List<AdviceWeaver.Binding> forType = AdviceWeaver.bindings(type);
                for (AdviceWeaver.Binding binding : forType) {
                    helpersOfModule.add(binding.advice().adviceClass());
                }
                types.put(type.typeName().replace('.', '/'), Collections.unmodifiableList(forType));
                instrumentedClassNames.add(type.typeName());
            }
            bindings.put(module, types);
            helperClassNames.put(module, Collections.unmodifiableList(new ArrayList<String>(helpersOfModule)));
        }
    }

    /** Binary names of every class some module may instrument. */
    public Set<String> instrumentedClassNames() {
        return Collections.unmodifiableSet(instrumentedClassNames);
    }

    /** The selector deciding which module applies per class loader. */
    public ModuleSelector selector() {
        return selector;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (className == null || !className.startsWith(packagePrefix)) {
            return null;
        }
        try {
            InstrumentationModule module = selector.select(loader);
            if (module == null) {
                return null;
            }
            List<AdviceWeaver.Binding> forType = bindings.get(module).get(className);
            if (forType == null) {
                return null;
            }
            String name = className.replace('/', '.');
            if (!helpers.inject(loader, protectionDomain, helperClassNames.get(module))) {
                AgentLog.once(AgentLog.Level.WARN, "helpers:" + System.identityHashCode(loader),
                        "could not define the agent's helper classes in the class loader of " + name
                                + "; its Lettuce classes keep their own behaviour", null);
                return null;
            }
            byte[] woven = AdviceWeaver.weave(classfileBuffer, forType, ClassShapes.of(loader),
                    new ArrayList<String>(4));
            if (woven != null) {
                listener.instrumented(name, classBeingRedefined != null);
            }
            return woven;
        } catch (Throwable t) {
            listener.failed(className.replace('/', '.'), t);
            return null;
        }
    }
}
