package io.stateguard.agent.instrumentation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Helper classes that an application may name itself (such as {@code StaleStateException}, which it
 * catches), and that therefore must exist beside the library before the application's own classes
 * link, not only once the first instrumented class of the library loads. Each extends
 * {@link #libraryClass()} (a class of the library) directly.
 *
 * <p>The {@link InstrumentationTransformer} defines them in the class loader that holds the library as
 * soon as that loader, or a loader below it, defines any class; and the copy that the agent's own
 * class loader would load from the agent jar, where that loader cannot see the library, extends
 * {@link #fallbackSuperclass()} instead, so that naming it there links too.
 */
public final class EarlyHelpers {

    private final String libraryClass;
    private final String fallbackSuperclass;
    private final List<String> classNames;
    /** Internal names of the helpers, for the check every class of the agent's class loader goes through. */
    private final String[] internalNames;

    /**
     * @param libraryClass internal name of the library class the helpers extend, such as
     *     {@code io/lettuce/core/RedisException}
     * @param fallbackSuperclass internal name of that class's own superclass, a JDK class with the same
     *     constructors the helpers call, such as {@code java/lang/RuntimeException}
     * @param classNames binary names of the helpers
     */
    public EarlyHelpers(String libraryClass, String fallbackSuperclass, List<String> classNames) {
        this.libraryClass = libraryClass;
        this.fallbackSuperclass = fallbackSuperclass;
        this.classNames = Collections.unmodifiableList(new ArrayList<String>(classNames));
        this.internalNames = new String[classNames.size()];
        for (int i = 0; i < internalNames.length; i++) {
            internalNames[i] = classNames.get(i).replace('.', '/');
        }
    }

    /** None: nothing is defined early. */
    public static EarlyHelpers none() {
        return new EarlyHelpers("", "", Collections.<String>emptyList());
    }

    public String libraryClass() {
        return libraryClass;
    }

    public String fallbackSuperclass() {
        return fallbackSuperclass;
    }

    public List<String> classNames() {
        return classNames;
    }

    boolean isEmpty() {
        return classNames.isEmpty();
    }

    /** Whether {@code internalName} is one of the helpers. */
    boolean isHelper(String internalName) {
        for (String name : internalNames) {
            if (name.equals(internalName)) {
                return true;
            }
        }
        return false;
    }
}
