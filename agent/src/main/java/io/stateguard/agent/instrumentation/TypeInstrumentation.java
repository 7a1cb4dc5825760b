package io.stateguard.agent.instrumentation;

import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * One intercepted class: which type it matches and which advice it applies to which methods.
 * Advice classes are named, not loaded: they are compiled against the application's library (for
 * example Lettuce) and inlined into its classes, so the agent itself never links against it.
 */
public interface TypeInstrumentation {

    /**
     * The name of the instrumented class. Before anything is instrumented in a class loader, the
     * class of this name is read there (without loading it) and every method matcher registered by
     * {@link #transform} must find a method in it: otherwise the library has a shape the agent does
     * not know, and the whole module is left out for that class loader ({@link Shapes}).
     */
    String typeName();

    /** The instrumented type; match by name, since most of Lettuce's routing classes are package-private. */
    ElementMatcher<TypeDescription> typeMatcher();

    /** Registers the advice of this type. */
    void transform(TypeTransformer transformer);
}
