package io.stateguard.agent.instrumentation;

import io.stateguard.agent.internal.InternalErrors;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.loading.ClassInjector;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Defines helper classes that must extend or implement the instrumented library's own types (such
 * as {@code StaleStateException extends RedisException}) in the class loader of that library, once
 * per class loader, when a class of it is instrumented. Defining them there, instead of loading them
 * from the agent jar through the system class loader, is what lets them link against a library that
 * lives in a Spring Boot, container or plug-in class loader.
 *
 * <p>Where the library lives in the agent's own class loader (a plain class path), nothing is
 * injected: the helper loads from the agent jar like any class and links against the same library.
 * Elsewhere, on Java 9+, {@code java.base} opens {@code java.lang} to the agent's module through
 * {@link Instrumentation#redefineModule} and the helper is defined with
 * {@code ClassLoader.defineClass}, so that no {@code sun.misc.Unsafe} method is called (Java 24+
 * warns on the application's standard error about every caller); on Java 8 {@code defineClass} is
 * simply made accessible. Byte Buddy's injectors remain the fallback.
 */
public final class HelperInjector implements AgentBuilder.Transformer {

    private final ClassFileLocator agentClasses;

    private final Instrumentation instrumentation;

    private final String[] helperClassNames;

    private final Set<ClassLoader> injected = Collections.newSetFromMap(new WeakHashMap<ClassLoader, Boolean>());

    private volatile Method defineClass;

    public HelperInjector(ClassFileLocator agentClasses, String... helperClassNames) {
        this(agentClasses, null, helperClassNames);
    }

    /**
     * @param instrumentation used on Java 9+ to open {@code java.lang} to the agent for
     *     {@code ClassLoader.defineClass}; {@code null} to use Byte Buddy's injectors.
     */
    public HelperInjector(ClassFileLocator agentClasses, Instrumentation instrumentation, String... helperClassNames) {
        this.agentClasses = agentClasses;
        this.instrumentation = instrumentation;
        this.helperClassNames = helperClassNames.clone();
    }

    @Override
    public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
            ClassLoader classLoader, JavaModule module, ProtectionDomain protectionDomain) {
        if (classLoader == null || classLoader == HelperInjector.class.getClassLoader()) {
            return builder; // bootstrap: never Lettuce; the agent's own loader: loads the helpers itself
        }
        synchronized (injected) {
            if (!injected.add(classLoader)) {
                return builder;
            }
        }
        try {
            Map<String, byte[]> classes = new LinkedHashMap<>();
            for (String name : helperClassNames) {
                classes.put(name, agentClasses.locate(name).resolve());
            }
            Method define = defineClass();
            if (define != null) {
                for (Map.Entry<String, byte[]> helper : classes.entrySet()) {
                    byte[] bytes = helper.getValue();
                    try {
                        define.invoke(classLoader, helper.getKey(), bytes, 0, bytes.length, protectionDomain);
                    } catch (InvocationTargetException e) {
                        if (!(e.getCause() instanceof LinkageError)) { // LinkageError: defined already
                            throw e;
                        }
                    }
                }
                return builder;
            }
            ClassInjector injector = ClassInjector.UsingReflection.isAvailable()
                    ? new ClassInjector.UsingReflection(classLoader, protectionDomain)
                    : ClassInjector.UsingUnsafe.isAvailable() ? new ClassInjector.UsingUnsafe(classLoader, protectionDomain)
                            : null;
            if (injector == null) {
                throw new IllegalStateException("no way to define classes in " + classLoader);
            }
            injector.injectRaw(classes);
        } catch (Throwable t) {
            InternalErrors.record("helper.injection", t);
        }
        return builder;
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
