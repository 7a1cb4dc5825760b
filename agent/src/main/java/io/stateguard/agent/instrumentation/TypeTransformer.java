package io.stateguard.agent.instrumentation;

/** Collects the advice a {@link TypeInstrumentation} applies. */
public interface TypeTransformer {

    /**
     * Weaves {@code advice} into every method of the instrumented class that {@code methodMatcher}
     * matches. Each matcher must find at least one method the class declares, or the class has an
     * unknown shape.
     */
    void applyAdviceToMethod(MethodMatcher methodMatcher, MethodAdvice advice);
}
