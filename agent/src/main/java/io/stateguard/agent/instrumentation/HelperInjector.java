package io.stateguard.agent.instrumentation;

import io.stateguard.agent.internal.InternalErrors;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Defines helper classes that link against the instrumented library (advice classes that take its
 * types as parameters, {@code StaleStateException extends RedisException}) in the class loader of
 * that library, once per class loader, before a class of it is woven. Defining them there, instead
 * of loading them from the agent jar through the system class loader, is what lets them link
 * against a library that lives in a Spring Boot, container or plug-in class loader: such a loader
 * finds a class it defined itself before it asks its parent.
 *
 * <p>Where the library lives in the agent's own class loader (a plain class path), nothing is
 * injected: the helpers load from the agent jar like any class and link against the same library.
 * Elsewhere the helpers are defined with {@code ClassLoader.defineClass}, so that no
 * {@code sun.misc.Unsafe} method is called (Java 24+ warns on the application's standard error about
 * every caller): on Java 9+ by a {@link IsolatedDefiner} alone in a class loader of its own, to whose
 * unnamed module (and nothing else) {@code java.base} opens {@code java.lang} through
 * {@link Instrumentation#redefineModule}; on Java 8 {@code defineClass} is simply made accessible. Where neither works, the helpers are not defined and the caller leaves
 * the library's classes unchanged.
 */
public final class HelperInjector {

    private final Instrumentation instrumentation;

    /**
     * Per class loader (weakly: a discarded loader is collected): the names of the helpers defined there, or
     * {@link Boolean#FALSE} after a failure. Values never refer to their loader.
     */
    private final Map<ClassLoader, Object> injected = new WeakHashMap<ClassLoader, Object>();

    private volatile ClassDefiner definer;

    /**
     * @param instrumentation used on Java 9+ to open {@code java.lang} to the {@link IsolatedDefiner} for
     *     {@code ClassLoader.defineClass}.
     */
    public HelperInjector(Instrumentation instrumentation) {
        this.instrumentation = instrumentation;
    }

    /**
     * Defines those of {@code helperClassNames} in {@code classLoader} that are not defined there yet.
     *
     * @return whether the helpers can be used from {@code classLoader}: defined there (now or
     *     before), or not needed because it is the agent's own class loader. {@code false} after a
     *     failure, which is recorded once, and for the bootstrap loader.
     */
    public boolean inject(ClassLoader classLoader, ProtectionDomain protectionDomain, List<String> helperClassNames) {
        if (classLoader == HelperInjector.class.getClassLoader()) {
            return true;
        }
        if (classLoader == null) {
            return false; // never the library's loader; advice could not reach the agent from there
        }
        List<String> missing = new ArrayList<String>(helperClassNames);
        synchronized (injected) {
            Object known = injected.get(classLoader);
            if (known == Boolean.FALSE) {
                return false;
            }
            if (known != null) {
                missing.removeAll((Set<?>) known);
            }
        }
        if (missing.isEmpty()) {
            return true;
        }
        // Not under the lock: defining loads the helpers' supertypes through classLoader (and its parents),
        // whose locks another thread may hold while it waits here. Two threads defining the same helper
        // in the same loader is harmless: the second gets a LinkageError, which means defined already.
        boolean defined = define(classLoader, protectionDomain, missing);
        synchronized (injected) {
            Object known = injected.get(classLoader);
            if (!defined) {
                injected.put(classLoader, Boolean.FALSE);
            } else if (known != Boolean.FALSE) {
                @SuppressWarnings("unchecked")
                Set<String> names = known == null ? new HashSet<String>() : (Set<String>) known;
                names.addAll(missing);
                injected.put(classLoader, names);
            }
        }
        return defined;
    }

    private boolean define(ClassLoader classLoader, ProtectionDomain protectionDomain, List<String> names) {
        try {
            ClassDefiner define = definer();
            if (define == null) {
                throw new IllegalStateException("ClassLoader.defineClass is not accessible to the agent");
            }
            for (String name : names) {
                byte[] bytes = ClassShapes.classFile(HelperInjector.class.getClassLoader(), name.replace('.', '/'));
                if (bytes == null) {
                    throw new IllegalStateException("the agent jar has no class " + name);
                }
                try {
                    define.define(classLoader, name, bytes, protectionDomain);
                } catch (InvocationTargetException e) {
                    if (!(e.getCause() instanceof LinkageError)) { // LinkageError: defined already
                        throw e;
                    }
                }
            }
            return true;
        } catch (Throwable t) {
            InternalErrors.record("helper.injection", t);
            return false;
        }
    }

    /** Calls {@code ClassLoader.defineClass(String, byte[], int, int, ProtectionDomain)} on a given class loader. */
    public interface ClassDefiner {

        /**
         * @throws InvocationTargetException wrapping what {@code defineClass} threw (a {@link LinkageError}
         *     when the class is defined already)
         */
        void define(ClassLoader classLoader, String name, byte[] bytes, ProtectionDomain protectionDomain)
                throws Exception;
    }

    /**
     * The {@link ClassDefiner} that reflects into {@code java.lang}. On Java 9+ it is defined alone in a class
     * loader of its own ({@link DefinerLoader}), and {@code java.base} opens {@code java.lang} to that loader's
     * unnamed module only: the agent jar is on the system class path, whose unnamed module every class of the
     * application's class path shares, so opening it to the agent's own module would open it to all of them.
     */
    public static final class IsolatedDefiner implements ClassDefiner {

        private final Method defineClass;

        public IsolatedDefiner() throws ReflectiveOperationException {
            defineClass = ClassLoader.class.getDeclaredMethod("defineClass", String.class, byte[].class, int.class,
                    int.class, ProtectionDomain.class);
            defineClass.setAccessible(true);
        }

        @Override
        public void define(ClassLoader classLoader, String name, byte[] bytes, ProtectionDomain protectionDomain)
                throws Exception {
            defineClass.invoke(classLoader, name, bytes, 0, bytes.length, protectionDomain);
        }
    }

    /** Holds {@link IsolatedDefiner} and nothing else: a class loader may define its own classes. */
    private static final class DefinerLoader extends ClassLoader {

        DefinerLoader(ClassLoader parent) {
            super(parent);
        }

        Class<?> defineDefiner() {
            String name = IsolatedDefiner.class.getName();
            byte[] bytes = ClassShapes.classFile(HelperInjector.class.getClassLoader(), name.replace('.', '/'));
            if (bytes == null) {
                throw new IllegalStateException("the agent jar has no class " + name);
            }
            return defineClass(name, bytes, 0, bytes.length);
        }
    }

    /** The definer, made once; {@code null} when {@code java.lang} cannot be opened to it. */
    private ClassDefiner definer() {
        ClassDefiner known = definer;
        if (known != null) {
            return known;
        }
        try {
            Class<?> moduleType;
            try {
                moduleType = Class.forName("java.lang.Module");
            } catch (ClassNotFoundException e) {
                // Java 8: no modules; defineClass is made accessible to the agent's own copy of the definer.
                known = new IsolatedDefiner();
                definer = known;
                return known;
            }
            if (instrumentation == null) {
                return null;
            }
            Class<?> isolated = new DefinerLoader(HelperInjector.class.getClassLoader()).defineDefiner();
            Method getModule = Class.class.getMethod("getModule");
            Object javaBase = getModule.invoke(ClassLoader.class);
            Object definerModule = getModule.invoke(isolated);
            Instrumentation.class.getMethod("redefineModule", moduleType, Set.class, Map.class, Map.class, Set.class,
                    Map.class).invoke(instrumentation, javaBase, Collections.emptySet(), Collections.emptyMap(),
                            Collections.singletonMap("java.lang", Collections.singleton(definerModule)),
                            Collections.emptySet(), Collections.emptyMap());
            known = (ClassDefiner) isolated.getConstructor().newInstance();
            definer = known;
            return known;
        } catch (Exception | LinkageError e) {
            InternalErrors.record("helper.injection", e);
            return null;
        }
    }
}
