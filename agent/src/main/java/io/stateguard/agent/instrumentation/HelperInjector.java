package io.stateguard.agent.instrumentation;

import io.stateguard.agent.internal.InternalErrors;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.Collections;
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
 * Elsewhere, on Java 9+, {@code java.base} opens {@code java.lang} to the agent's module through
 * {@link Instrumentation#redefineModule} and the helpers are defined with
 * {@code ClassLoader.defineClass}, so that no {@code sun.misc.Unsafe} method is called (Java 24+
 * warns on the application's standard error about every caller); on Java 8 {@code defineClass} is
 * simply made accessible. Where neither works, the helpers are not defined and the caller leaves
 * the library's classes unchanged.
 */
public final class HelperInjector {

    private final Instrumentation instrumentation;

    /** Per class loader: whether its helpers are defined. */
    private final Map<ClassLoader, Boolean> injected = new WeakHashMap<ClassLoader, Boolean>();

    private volatile Method defineClass;

    /**
     * @param instrumentation used on Java 9+ to open {@code java.lang} to the agent for
     *     {@code ClassLoader.defineClass}.
     */
    public HelperInjector(Instrumentation instrumentation) {
        this.instrumentation = instrumentation;
    }

    /**
     * Defines {@code helperClassNames} in {@code classLoader} unless done before.
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
        synchronized (injected) {
            Boolean known = injected.get(classLoader);
            if (known != null) {
                return known;
            }
            boolean defined = define(classLoader, protectionDomain, helperClassNames);
            injected.put(classLoader, defined);
            return defined;
        }
    }

    private boolean define(ClassLoader classLoader, ProtectionDomain protectionDomain, List<String> names) {
        try {
            Method define = defineClass();
            if (define == null) {
                throw new IllegalStateException("ClassLoader.defineClass is not accessible to the agent");
            }
            for (String name : names) {
                byte[] bytes = ClassShapes.classFile(HelperInjector.class.getClassLoader(), name.replace('.', '/'));
                if (bytes == null) {
                    throw new IllegalStateException("the agent jar has no class " + name);
                }
                try {
                    define.invoke(classLoader, name, bytes, 0, bytes.length, protectionDomain);
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

    /** {@code ClassLoader.defineClass(String, byte[], int, int, ProtectionDomain)}, accessible; or {@code null}. */
    private Method defineClass() {
        Method method = defineClass;
        if (method != null) {
            return method;
        }
        try {
            method = ClassLoader.class.getDeclaredMethod("defineClass", String.class, byte[].class, int.class,
                    int.class, ProtectionDomain.class);
            if (!openJavaLang()) {
                return null;
            }
            method.setAccessible(true);
            defineClass = method;
            return method;
        } catch (Exception | LinkageError e) {
            return null;
        }
    }

    /**
     * Java 9+: lets the agent's module reflect into {@code java.lang} (only that package, only for the
     * agent's module). Java 8 has no modules: nothing to do.
     */
    private boolean openJavaLang() throws ReflectiveOperationException {
        Class<?> moduleType;
        try {
            moduleType = Class.forName("java.lang.Module");
        } catch (ClassNotFoundException e) {
            return true;
        }
        if (instrumentation == null) {
            return false;
        }
        Method getModule = Class.class.getMethod("getModule");
        Object javaBase = getModule.invoke(ClassLoader.class);
        Object agent = getModule.invoke(HelperInjector.class);
        if (!(Boolean) moduleType.getMethod("isOpen", String.class, moduleType).invoke(javaBase, "java.lang", agent)) {
            Instrumentation.class.getMethod("redefineModule", moduleType, Set.class, Map.class, Map.class, Set.class,
                    Map.class).invoke(instrumentation, javaBase, Collections.emptySet(), Collections.emptyMap(),
                            Collections.singletonMap("java.lang", Collections.singleton(agent)), Collections.emptySet(),
                            Collections.emptyMap());
        }
        return true;
    }
}
