package io.stateguard.agent.instrumentation;

import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.InternalErrors;

import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Decides, once per class loader, which of a library's {@link InstrumentationModule}s applies to it,
 * and says so in one log line:
 *
 * <ul>
 *   <li>the first module whose {@link InstrumentationModule#classLoaderMatcher() version markers}
 *       are present, whose classes have the expected {@link Shapes shape}, in a class loader that
 *       sees the agent's classes: that module is applied ({@code INFO});</li>
 *   <li>no module's markers present: an unsupported version, left unchanged ({@code WARN});</li>
 *   <li>markers present but a class or method missing: an unknown shape, left unchanged, the
 *       mismatches named ({@code WARN});</li>
 *   <li>a class loader that cannot see the agent's classes: left unchanged ({@code WARN}).</li>
 * </ul>
 *
 * <p>The decision is made when the first class of the library is loaded (or, on attach, found
 * loaded) in that class loader, and never changes afterwards: a module is applied to a class loader
 * completely or not at all.
 */
public final class ModuleSelector {

    private static final Object NONE = new Object();

    private final String library;

    private final String probeClass;

    private final String supportedVersions;

    private final List<InstrumentationModule> modules;

    private final ClassLoaderMatcher seesAgent;

    private final Map<ClassLoader, Object> decisions = new WeakHashMap<>();

    private volatile Object bootDecision;

    /**
     * @param library the library's name in log lines, such as {@code Lettuce}.
     * @param probeClass a class every version of the library has, to name the jar it came from.
     * @param supportedVersions the supported range in words, for the unsupported-version warning.
     * @param modules the candidate modules, most specific first.
     * @param seesAgent matches class loaders through which advice can reach the agent's classes.
     */
    public ModuleSelector(String library, String probeClass, String supportedVersions,
            List<InstrumentationModule> modules, ClassLoaderMatcher seesAgent) {
        this.library = library;
        this.probeClass = probeClass;
        this.supportedVersions = supportedVersions;
        this.modules = Collections.unmodifiableList(new ArrayList<>(modules));
        this.seesAgent = seesAgent;
    }

    public List<InstrumentationModule> modules() {
        return modules;
    }

    /** The module applied to {@code classLoader}, or {@code null}. */
    public InstrumentationModule select(ClassLoader classLoader) {
        Object known;
        if (classLoader == null) {
            known = bootDecision;
        } else {
            synchronized (decisions) {
                known = decisions.get(classLoader);
            }
        }
        if (known == null) {
            known = decide(classLoader);
            if (classLoader == null) {
                bootDecision = known;
            } else {
                synchronized (decisions) {
                    Object raced = decisions.get(classLoader);
                    if (raced != null) {
                        known = raced;
                    } else {
                        decisions.put(classLoader, known);
                    }
                }
            }
        }
        return known == NONE ? null : (InstrumentationModule) known;
    }

    private Object decide(ClassLoader classLoader) {
        String key = "module:" + library + ":" + System.identityHashCode(classLoader);
        try {
            InstrumentationModule candidate = null;
            for (InstrumentationModule module : modules) {
                if (module.classLoaderMatcher().matches(classLoader)) {
                    candidate = module;
                    break;
                }
            }
            if (candidate == null) {
                AgentLog.once(AgentLog.Level.WARN, key, library + " from " + source(classLoader)
                        + " is not a supported version (" + supportedVersions + " are); StateGuard leaves it unchanged",
                        null);
                return NONE;
            }
            if (!seesAgent.matches(classLoader)) {
                AgentLog.once(AgentLog.Level.WARN, key, library + " from " + source(classLoader)
                        + " is loaded by a class loader that cannot see the agent's classes; StateGuard leaves it"
                        + " unchanged", null);
                return NONE;
            }
            List<String> problems = Shapes.problems(candidate, classLoader);
            if (!problems.isEmpty()) {
                AgentLog.once(AgentLog.Level.WARN, key, library + " from " + source(classLoader)
                        + " has an unknown shape for " + candidate.name() + " (" + String.join("; ", problems)
                        + "); StateGuard leaves it unchanged", null);
                return NONE;
            }
            AgentLog.once(AgentLog.Level.INFO, key, library + " from " + source(classLoader) + ": applying "
                    + candidate.name(), null);
            return candidate;
        } catch (Throwable t) {
            InternalErrors.record("instrumentation.select", t);
            return NONE;
        }
    }

    /** The file name of the jar (or directory) the library's probe class comes from. */
    private String source(ClassLoader classLoader) {
        try {
            String resource = probeClass.replace('.', '/') + ".class";
            URL url = classLoader == null ? ClassLoader.getSystemResource(resource) : classLoader.getResource(resource);
            if (url != null) {
                return location(url.toString(), resource);
            }
        } catch (RuntimeException e) {
            // fall through
        }
        return "an unknown location";
    }

    /**
     * {@code jar:file:/a/b/lettuce-core-7.7.0.RELEASE.jar!/io/...} becomes
     * {@code lettuce-core-7.7.0.RELEASE.jar}; a Spring Boot nested jar
     * ({@code jar:nested:/app.jar/!BOOT-INF/lib/lettuce-core.jar!/io/...}) the nested jar's name; a
     * directory its path's last element.
     */
    static String location(String url, String resource) {
        String path = url;
        if (path.endsWith(resource)) {
            path = path.substring(0, path.length() - resource.length());
        }
        while (path.endsWith("/") || path.endsWith("!")) {
            path = path.substring(0, path.length() - 1);
        }
        int slash = path.lastIndexOf('/');
        return slash >= 0 ? path.substring(slash + 1) : path;
    }
}
