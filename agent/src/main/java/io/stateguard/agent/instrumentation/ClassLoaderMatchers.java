package io.stateguard.agent.instrumentation;

import net.bytebuddy.matcher.ElementMatcher;

import java.util.Map;
import java.util.WeakHashMap;

/** Class loader matchers that decide a library version by the classes it has. */
public final class ClassLoaderMatchers {

    private ClassLoaderMatchers() {
    }

    /**
     * Matches class loaders that can see every named class (as a resource, without loading it).
     * Results are cached per class loader, weakly, so that discarded loaders can be collected.
     */
    public static ElementMatcher.Junction<ClassLoader> hasClassesNamed(final String... classNames) {
        return new ElementMatcher.Junction.AbstractBase<ClassLoader>() {

            private final Map<ClassLoader, Boolean> cache = new WeakHashMap<>();

            @Override
            public boolean matches(ClassLoader classLoader) {
                ClassLoader loader = classLoader == null ? ClassLoader.getSystemClassLoader() : classLoader;
                synchronized (cache) {
                    Boolean known = cache.get(loader);
                    if (known != null) {
                        return known;
                    }
                }
                boolean all = true;
                for (String name : classNames) {
                    if (loader.getResource(name.replace('.', '/') + ".class") == null) {
                        all = false;
                        break;
                    }
                }
                synchronized (cache) {
                    cache.put(loader, all);
                }
                return all;
            }

            @Override
            public String toString() {
                return "hasClassesNamed" + java.util.Arrays.toString(classNames);
            }
        };
    }

    /**
     * Matches class loaders through which {@code type} resolves to that very class. Advice inlined
     * into a class calls the agent's classes; where its class loader cannot see them (an isolated
     * plug-in loader, say), instrumenting would only raise linkage errors, so such loaders are
     * left alone.
     */
    public static ElementMatcher.Junction<ClassLoader> seesClass(final Class<?> type) {
        return new ElementMatcher.Junction.AbstractBase<ClassLoader>() {

            private final Map<ClassLoader, Boolean> cache = new WeakHashMap<>();

            @Override
            public boolean matches(ClassLoader classLoader) {
                if (classLoader == null) {
                    return type.getClassLoader() == null;
                }
                synchronized (cache) {
                    Boolean known = cache.get(classLoader);
                    if (known != null) {
                        return known;
                    }
                }
                boolean same;
                try {
                    same = Class.forName(type.getName(), false, classLoader) == type;
                } catch (ClassNotFoundException | LinkageError e) {
                    same = false;
                }
                synchronized (cache) {
                    cache.put(classLoader, same);
                }
                return same;
            }

            @Override
            public String toString() {
                return "seesClass(" + type.getName() + ")";
            }
        };
    }
}
