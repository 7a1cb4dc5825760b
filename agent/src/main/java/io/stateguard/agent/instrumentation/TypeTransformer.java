package io.stateguard.agent.instrumentation;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** Collects the advice a {@link TypeInstrumentation} applies. */
public interface TypeTransformer {

    /**
     * Inlines the advice class named {@code adviceClassName} into every method matched by
     * {@code methodMatcher}. The advice's methods must declare {@code suppress = Throwable.class}.
     */
    void applyAdviceToMethod(ElementMatcher<? super MethodDescription> methodMatcher, String adviceClassName);
}
