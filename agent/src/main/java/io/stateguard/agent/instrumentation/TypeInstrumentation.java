package io.stateguard.agent.instrumentation;

/**
 * One intercepted class: its name and the advice it applies to which of its methods. Advice
 * classes are named, not loaded: they are compiled against the application's library (for example
 * Lettuce) and called from its classes, so the agent itself never links against it.
 */
public interface TypeInstrumentation {

    /**
     * The binary name of the instrumented class (matched by name: most of Lettuce's routing classes
     * are package-private). Before anything is instrumented in a class loader, the class of this
     * name is read there (without loading it) and every method matcher registered by
     * {@link #transform} must find a method in it: otherwise the library has a shape the agent does
     * not know, and the whole module is left out for that class loader ({@link Shapes}).
     */
    String typeName();

    /** Registers the advice of this type. */
    void transform(TypeTransformer transformer);
}
