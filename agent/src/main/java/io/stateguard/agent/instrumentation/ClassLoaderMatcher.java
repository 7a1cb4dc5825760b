package io.stateguard.agent.instrumentation;

/**
 * A test on a class loader, such as "has these classes" ({@link ClassLoaderMatchers}). Implementations
 * give a readable {@code toString}: it appears in log lines.
 */
public interface ClassLoaderMatcher {

    /** @param classLoader the class loader, {@code null} for the bootstrap loader. */
    boolean matches(ClassLoader classLoader);
}
