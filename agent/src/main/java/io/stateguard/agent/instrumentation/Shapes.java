package io.stateguard.agent.instrumentation;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before anything is instrumented, that a library in a class loader has the shape a module
 * was written for: each instrumented class exists and each advice finds a method to go into. A
 * module is applied to a class loader completely or not at all, so a library version that renamed
 * a method or changed a parameter type (an unknown, future shape) is left unchanged instead of
 * being half instrumented.
 *
 * <p>Classes are read as class files through the class loader's resources ({@link TypePool}),
 * never loaded, so the check neither initialises nor pins the application's classes.
 */
public final class Shapes {

    private Shapes() {
    }

    /** {@code matcher} with {@code description} as its {@code toString}, for readable warnings. */
    public static <T> ElementMatcher.Junction<T> described(final String description,
            final ElementMatcher<? super T> matcher) {
        return new ElementMatcher.Junction.AbstractBase<T>() {
            @Override
            public boolean matches(T target) {
                return matcher.matches(target);
            }

            @Override
            public String toString() {
                return description;
            }
        };
    }

    /**
     * What does not fit {@code module} in {@code classLoader}: one entry per missing class or per
     * advice that finds no method; empty when the module can be applied.
     */
    public static List<String> problems(InstrumentationModule module, ClassLoader classLoader) {
        final List<String> problems = new ArrayList<>();
        TypePool pool = TypePool.Default.WithLazyResolution.of(classLoader == null
                ? ClassFileLocator.ForClassLoader.ofBootLoader() : ClassFileLocator.ForClassLoader.of(classLoader));
        for (TypeInstrumentation instrumentation : module.typeInstrumentations()) {
            final String name = instrumentation.typeName();
            try {
                TypePool.Resolution resolution = pool.describe(name);
                if (!resolution.isResolved()) {
                    problems.add(name + " is missing");
                    continue;
                }
                final TypeDescription type = resolution.resolve();
                final MethodList<MethodDescription.InDefinedShape> methods = type.getDeclaredMethods();
                instrumentation.transform(new TypeTransformer() {
                    @Override
                    public void applyAdviceToMethod(ElementMatcher<? super MethodDescription> methodMatcher,
                            String adviceClassName) {
                        if (methods.filter(methodMatcher).isEmpty()) {
                            problems.add(simpleName(name) + " has no " + methodMatcher);
                        }
                    }
                });
            } catch (RuntimeException | LinkageError e) {
                problems.add(name + " cannot be read (" + e + ")");
            }
        }
        return problems;
    }

    static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
