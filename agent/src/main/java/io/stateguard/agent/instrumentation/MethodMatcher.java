package io.stateguard.agent.instrumentation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Which declared methods of an instrumented class an advice goes into: a name and the exact list of
 * parameter types. Immutable; its {@code toString} ({@code write(RedisCommand)}) appears in the
 * warning about a library of unknown shape.
 */
public final class MethodMatcher {

    private final String name;
    private final List<ParameterType> parameters;
    private final String description;

    /** Whether further parameters may follow {@link #parameters}. */
    private final boolean leading;

    private MethodMatcher(String name, List<ParameterType> parameters, String description, boolean leading) {
        this.name = name;
        this.parameters = parameters;
        this.description = description;
        this.leading = leading;
    }

    /** Methods named {@code name} with exactly these parameters. */
    public static MethodMatcher method(String name, ParameterType... parameters) {
        return new MethodMatcher(name, Collections.unmodifiableList(new ArrayList<ParameterType>(Arrays.asList(parameters))),
                null, false);
    }

    /**
     * Methods named {@code name} whose parameters start with these, whatever follows: one advice for a method that
     * gained trailing parameters from one library version to the next, which the advice does not take.
     */
    public static MethodMatcher methodStartingWith(String name, ParameterType... leadingParameters) {
        return new MethodMatcher(name,
                Collections.unmodifiableList(new ArrayList<ParameterType>(Arrays.asList(leadingParameters))), null, true);
    }

    /** The same matcher, read as {@code description} in warnings instead of its name and parameter types. */
    public MethodMatcher describedAs(String description) {
        return new MethodMatcher(name, parameters, description, leading);
    }

    /**
     * @param methodName the declared method's name.
     * @param descriptor its descriptor, such as {@code (Lio/lettuce/core/protocol/RedisCommand;)V}.
     * @param classes reads the instrumented class loader's classes, for parameter types that need it.
     */
    public boolean matches(String methodName, String descriptor, ClassShapes classes) {
        if (!name.equals(methodName)) {
            return false;
        }
        List<String> actual = Descriptors.parameters(descriptor);
        if (leading ? actual.size() < parameters.size() : actual.size() != parameters.size()) {
            return false;
        }
        for (int i = 0; i < parameters.size(); i++) {
            if (!parameters.get(i).matches(actual.get(i), classes)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        if (description != null) {
            return description;
        }
        StringBuilder text = new StringBuilder(name).append('(');
        for (int i = 0; i < parameters.size(); i++) {
            text.append(i == 0 ? "" : ", ").append(parameters.get(i));
        }
        return text.append(!leading ? ")" : parameters.isEmpty() ? "...)" : ", ...)").toString();
    }
}
