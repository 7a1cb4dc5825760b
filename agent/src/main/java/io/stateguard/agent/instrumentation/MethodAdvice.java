package io.stateguard.agent.instrumentation;

import java.util.Arrays;

/**
 * The calls {@link AdviceWeaver} weaves into an instrumented method: a static method of an advice
 * class called on entry, and optionally one called on every exit (return or exception). Immutable;
 * built with {@link #to}.
 *
 * <p>Advice methods are not inlined. They are called, and must never throw: each catches
 * {@link Throwable} itself and hands it to {@link AdviceErrors#onSuppressed}, so the intercepted
 * method runs as the application configured it (the {@code suppress = Throwable.class} of inlined
 * advice). The advice class is compiled against the library and defined in the library's class
 * loader where that is not the agent's ({@link HelperInjector}); it keeps itself to argument
 * plumbing and calls plain agent classes for the logic.
 *
 * <p>The entry method is named, not described: its descriptor is read from the advice class's file
 * ({@link AdviceFit}), and every call is checked against the method it goes into before anything is
 * woven, so a mismatch leaves the class unchanged with a warning instead of failing verification.
 */
public final class MethodAdvice {

    /** Passes {@code this} (as the first parameter of the entry method's descriptor). */
    public static final int THIS = -1;

    /** What the entry method's return value does. */
    enum OnEnter {
        /** Nothing: the entry method returns {@code void}. */
        IGNORE,
        /** A {@code boolean}: {@code true} skips the method's body and returns its default value. */
        SKIP_ON_TRUE,
        /**
         * A value of the argument's type (a reference may be returned as {@code Object}, a primitive is returned
         * as itself): becomes the argument's new value.
         */
        ASSIGN_ARGUMENT
    }

    private final String adviceClass;
    private final String enterMethod;
    private final int[] enterArguments;
    private final OnEnter onEnter;
    private final int assignedArgument;
    private final String exitMethod;

    private MethodAdvice(String adviceClass, String enterMethod, int[] enterArguments, OnEnter onEnter,
            int assignedArgument, String exitMethod) {
        this.adviceClass = adviceClass;
        this.enterMethod = enterMethod;
        this.enterArguments = enterArguments;
        this.onEnter = onEnter;
        this.assignedArgument = assignedArgument;
        this.exitMethod = exitMethod;
    }

    /**
     * Advice that calls {@code adviceClass.method} on entry.
     *
     * @param adviceClass binary name of the advice class, such as {@code a.b.Outer$Advice}.
     * @param method the {@code public static} method called on entry, the only one of that name in the
     *     advice class; it returns {@code void} unless {@link #skipOnTrue} or {@link #assigning} say otherwise.
     * @param arguments what is passed, in order: {@link #THIS} or a parameter index of the
     *     instrumented method. A parameter is passed with its declared type (the entry method takes that type
     *     or {@code Object}), {@code this} as {@code Object}.
     */
    public static MethodAdvice to(String adviceClass, String method, int... arguments) {
        return new MethodAdvice(adviceClass, method, arguments.clone(), OnEnter.IGNORE, -1, null);
    }

    /** The entry method returns {@code boolean}; {@code true} skips the instrumented method's body. */
    public MethodAdvice skipOnTrue() {
        return new MethodAdvice(adviceClass, enterMethod, enterArguments, OnEnter.SKIP_ON_TRUE, -1, exitMethod);
    }

    /**
     * The entry method returns the new value of parameter {@code index}: a reference cast back to its declared
     * type, or a primitive of exactly the parameter's type (such as a {@code boolean} flag).
     */
    public MethodAdvice assigning(int index) {
        return new MethodAdvice(adviceClass, enterMethod, enterArguments, OnEnter.ASSIGN_ARGUMENT, index, exitMethod);
    }

    /** Also calls {@code adviceClass.method()} (no parameters, {@code void}) on every return and exception. */
    public MethodAdvice onExit(String method) {
        return new MethodAdvice(adviceClass, enterMethod, enterArguments, onEnter, assignedArgument, method);
    }

    public String adviceClass() {
        return adviceClass;
    }

    String adviceInternalName() {
        return adviceClass.replace('.', '/');
    }

    /** The entry method's name. */
    public String enterMethod() {
        return enterMethod;
    }

    /**
     * The entry method's descriptor, as the advice class declares it.
     *
     * @throws IllegalStateException when the advice class declares no such method, or more than one
     */
    public String enterDescriptor() {
        return AdviceFit.enterDescriptor(this);
    }

    int[] enterArguments() {
        return enterArguments.clone();
    }

    OnEnter onEnter() {
        return onEnter;
    }

    int assignedArgument() {
        return assignedArgument;
    }

    /** The exit method's name ({@code ()V}), or {@code null}. */
    public String exitMethod() {
        return exitMethod;
    }

    @Override
    public String toString() {
        return adviceClass + "." + enterMethod + Arrays.toString(enterArguments)
                + (onEnter == OnEnter.IGNORE ? "" : " " + onEnter)
                + (exitMethod == null ? "" : ", exit " + exitMethod + "()");
    }
}
