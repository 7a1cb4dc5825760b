package io.stateguard.agent.instrumentation;

import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * One intercepted class: which type it matches and which advice it applies to which methods.
 * Advice classes are named, not loaded: they are compiled against the application's library (for
 * example Lettuce) and inlined into its classes, so the agent itself never links against it.
 */
public interface TypeInstrumentation {

    /** The instrumented type; match by name, since most of Lettuce's routing classes are package-private. */
    ElementMatcher<TypeDescription> typeMatcher();

    /** Registers the advice of this type. */
    void transform(TypeTransformer transformer);
}
