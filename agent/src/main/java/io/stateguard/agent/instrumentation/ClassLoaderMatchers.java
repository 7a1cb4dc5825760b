package io.stateguard.agent.instrumentation;

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
    public static ClassLoaderMatcher hasClassesNamed(final String... classNames) {
        return new ClassLoaderMatcher() {

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
     * Matches class loaders through which {@code type} resolves to that very class. Advice woven
     * into a class calls the agent's classes; where its class loader cannot see them (an isolated
     * plug-in loader, say), instrumenting would only raise linkage errors, so such loaders are
     * left alone.
     */
    public static ClassLoaderMatcher seesClass(final Class<?> type) {
        return new ClassLoaderMatcher() {

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

    /** Matches where {@code first} and {@code second} both match; {@code second} is asked only then. */
    public static ClassLoaderMatcher both(final ClassLoaderMatcher first, final ClassLoaderMatcher second) {
        return new ClassLoaderMatcher() {
            @Override
            public boolean matches(ClassLoader classLoader) {
                return first.matches(classLoader) && second.matches(classLoader);
            }

            @Override
            public String toString() {
                return first + " and " + second;
            }
        };
    }

    /** Matches where {@code matcher} does not. */
    public static ClassLoaderMatcher not(final ClassLoaderMatcher matcher) {
        return new ClassLoaderMatcher() {
            @Override
            public boolean matches(ClassLoader classLoader) {
                return !matcher.matches(classLoader);
            }

            @Override
            public String toString() {
                return "not(" + matcher + ")";
            }
        };
    }

    /** Matches every class loader. */
    public static ClassLoaderMatcher any() {
        return new ClassLoaderMatcher() {
            @Override
            public boolean matches(ClassLoader classLoader) {
                return true;
            }

            @Override
            public String toString() {
                return "any";
            }
        };
    }

    /** Matches no class loader. */
    public static ClassLoaderMatcher none() {
        return not(any());
    }
}
