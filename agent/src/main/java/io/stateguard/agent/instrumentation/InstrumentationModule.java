package io.stateguard.agent.instrumentation;

import java.util.List;

/**
 * A group of {@link TypeInstrumentation}s that apply together to one version range of a library.
 * The range is chosen by which classes exist in the application's class loader
 * ({@link ClassLoaderMatchers#hasClassesNamed}), never by parsing version strings, and a module is
 * applied only where all of its types have the expected shape ({@link ModuleSelector}, {@link Shapes}).
 */
public interface InstrumentationModule {

    /** A short name used in log lines, such as {@code lettuce-6+}. */
    String name();

    /** The class loaders (and so the library versions) this module applies to. */
    ClassLoaderMatcher classLoaderMatcher();

    List<TypeInstrumentation> typeInstrumentations();

    /**
     * Classes of the agent jar that must be defined in the library's class loader before its classes
     * are woven, because they link against the library (extend its types, take its types as
     * parameters). The advice classes of {@link #typeInstrumentations()} are added to these.
     */
    List<String> helperClassNames();
}
