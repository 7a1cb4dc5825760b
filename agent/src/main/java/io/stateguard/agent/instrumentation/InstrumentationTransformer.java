package io.stateguard.agent.instrumentation;

import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.InternalErrors;

import java.lang.instrument.ClassFileTransformer;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The agent's class file transformer for one library: for every class of the library's package it
 * makes sure the {@link ModuleSelector} has decided (and logged) which module applies to the class
 * loader, and weaves the selected module's advice into the classes it names, after defining its
 * helper classes there. Everything else passes at the cost of a string prefix test, and, once per class
 * loader, of the check that defines the {@link EarlyHelpers} beside the library.
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

        /**
         * A Redis client the agent does not instrument loaded ({@link UninstrumentedClients}): {@code client}
         * names it, {@code location} the jar it came from.
         */
        void uninstrumentedClient(String client, String location);
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
    private final EarlyHelpers early;
    /** Class loaders whose early helpers were looked after, weakly; the values are always {@code TRUE}. */
    private final Map<ClassLoader, Boolean> earlyChecked = new WeakHashMap<ClassLoader, Boolean>();
    /** The class loader checked last: its next classes pass without a lookup. */
    private volatile WeakReference<ClassLoader> lastChecked = new WeakReference<ClassLoader>(null);

    /**
     * @param packagePrefix internal name prefix of the library's classes, such as {@code io/lettuce/core/}.
     */
    public InstrumentationTransformer(String packagePrefix, ModuleSelector selector, HelperInjector helpers,
            Listener listener) {
        this(packagePrefix, selector, helpers, listener, EarlyHelpers.none());
    }

    /**
     * @param packagePrefix internal name prefix of the library's classes, such as {@code io/lettuce/core/}.
     * @param early helpers that must be beside the library before the application's classes link.
     */
    public InstrumentationTransformer(String packagePrefix, ModuleSelector selector, HelperInjector helpers,
            Listener listener, EarlyHelpers early) {
        // Loaded now, before the transformer is registered: a class first loaded from inside transform() would
        // be transformed while it is being defined, and its loader would try to define it a second time.
        UninstrumentedClients.clientOf("");
        this.early = early;
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

    /** The internal name prefix of the library's classes, such as {@code io/lettuce/core/}. */
    public String packagePrefix() {
        return packagePrefix;
    }

    /** The selector deciding which module applies per class loader. */
    public ModuleSelector selector() {
        return selector;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (className == null) {
            return null;
        }
        if (loader != null && classBeingRedefined == null && !early.isEmpty()) {
            if (loader == HelperInjector.class.getClassLoader()) {
                if (early.isHelper(className)) {
                    return linkableAgentCopy(loader, className, classfileBuffer);
                }
            } else if (lastChecked.get() != loader) {
                defineEarly(loader, className, protectionDomain);
            }
        }
        if (!className.startsWith(packagePrefix)) {
            String client = classBeingRedefined == null ? UninstrumentedClients.clientOf(className) : null;
            if (client != null) {
                uninstrumentedClient(client, className, protectionDomain);
            }
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
                                + "; its classes keep their own behaviour", null);
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

    /**
     * The first time {@code loader} defines a class: if it sees the library, defines the early helpers
     * in the class loader that holds the library (it, or the parent it delegates the library to), so
     * that they are found there before the application's classes, which name them, link. A loader that
     * finds a class it defined itself before asking its parent (every {@code ClassLoader.loadClass})
     * then never asks the agent's class loader for them.
     */
    private void defineEarly(ClassLoader loader, String className, ProtectionDomain protectionDomain) {
        if (className.equals(early.libraryClass()) || early.isHelper(className)) {
            return; // defining the helpers now would need this very class: the loader's next class does it
        }
        if (loader.getClass().getName().endsWith(".DelegatingClassLoader")) {
            return; // one per generated reflection accessor (Java 8 to 17): never a library's, never named
        }
        synchronized (earlyChecked) {
            if (earlyChecked.put(loader, Boolean.TRUE) != null) {
                lastChecked = new WeakReference<ClassLoader>(loader);
                return;
            }
        }
        lastChecked = new WeakReference<ClassLoader>(loader);
        try {
            ClassLoader owner = libraryOwner(loader, early.libraryClass() + ".class");
            if (owner != null && owner != HelperInjector.class.getClassLoader()) {
                // Defining a helper loads the library class in owner: never the class loader is defining now.
                helpers.inject(owner, owner == loader ? protectionDomain : null, early.classNames());
            }
        } catch (Throwable t) {
            InternalErrors.record("helper.injection", t);
        }
    }

    /**
     * The class loader that defines {@code resource}'s class for {@code loader}: the nearest one, from
     * {@code loader} up, whose parent does not give the same resource; {@code null} when {@code loader}
     * does not see it.
     */
    static ClassLoader libraryOwner(ClassLoader loader, String resource) {
        URL here = loader.getResource(resource);
        if (here == null) {
            return null;
        }
        String location = here.toExternalForm();
        ClassLoader current = loader;
        while (true) {
            ClassLoader parent = current.getParent();
            if (parent == null) {
                return current;
            }
            URL above = parent.getResource(resource);
            if (above == null || !above.toExternalForm().equals(location)) {
                return current;
            }
            current = parent;
        }
    }

    /**
     * The agent's own class loader (the system class loader) loads an early helper from the agent jar:
     * where it cannot see the library (a fat jar, a container), the helper extends the library class's
     * superclass instead, so that a class of the class path that names it links, as does an application
     * class that asks its parent for it before its own copy exists. Where the library is on the class path,
     * the helper is left as it is.
     */
    private byte[] linkableAgentCopy(ClassLoader loader, String className, byte[] classfileBuffer) {
        try {
            if (loader.getResource(early.libraryClass() + ".class") != null) {
                return null;
            }
            return SuperclassSwap.swap(classfileBuffer, early.libraryClass(), early.fallbackSuperclass());
        } catch (Throwable t) {
            InternalErrors.record("helper.injection", t);
            return null;
        }
    }

    /** Tells the listener; never throws into class loading. */
    private void uninstrumentedClient(String client, String className, ProtectionDomain protectionDomain) {
        try {
            listener.uninstrumentedClient(client, UninstrumentedClients.location(protectionDomain));
        } catch (Throwable t) {
            InternalErrors.record("instrumentation.clients", t);
        }
    }

}
