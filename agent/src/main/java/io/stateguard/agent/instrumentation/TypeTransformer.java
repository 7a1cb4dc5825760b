package io.stateguard.agent.instrumentation;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** Collects the advice a {@link TypeInstrumentation} applies. */
public interface TypeTransformer {

    /**
     * Inlines the advice class named {@code adviceClassName} into every method matched by
     * {@code methodMatcher}. The advice's methods must declare {@code suppress = Throwable.class}.
     * Each matcher must find at least one method declared by the instrumented class, or the class has
     * an unknown shape; give it a readable {@code toString} ({@link Shapes#described}) for the warning.
     */
    void applyAdviceToMethod(ElementMatcher<? super MethodDescription> methodMatcher, String adviceClassName);
}
