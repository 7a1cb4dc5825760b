package io.stateguard.agent.instrumentation;

/**
 * What a {@link MethodMatcher} expects of one parameter's type. Types are given as JVM descriptors
 * ({@code I}, {@code Ljava/util/Collection;}) and, where a test needs more than the name, read
 * through {@link ClassShapes} without loading them.
 */
public abstract class ParameterType {

    /** The primitive {@code int}. */
    public static final ParameterType INT = ofDescriptor("I", "int");

    /** Exactly the type of this JVM descriptor ({@code J}, {@code [B}), read as {@code name} in warnings. */
    public static ParameterType ofDescriptor(final String descriptor, final String name) {
        return new ParameterType() {
            @Override
            public boolean matches(String actual, ClassShapes classes) {
                return descriptor.equals(actual);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** Exactly the class or interface of this name (such as {@code java.util.Collection}). */
    public static ParameterType named(String className) {
        return ofDescriptor("L" + className.replace('.', '/') + ";", className.substring(className.lastIndexOf('.') + 1));
    }

    /**
     * @param descriptor the parameter's type descriptor.
     * @param classes reads the classes of the instrumented class's class loader.
     */
    public abstract boolean matches(String descriptor, ClassShapes classes);

    /** How the type reads in a warning, such as {@code RedisCommand}. */
    @Override
    public abstract String toString();
}
