package io.stateguard.agent.instrumentation;

import io.stateguard.agent.internal.InternalErrors;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.loading.ClassInjector;
import net.bytebuddy.utility.JavaModule;

import java.security.ProtectionDomain;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Defines helper classes that must extend or implement the instrumented library's own types (such
 * as {@code StaleStateException extends RedisException}) in the class loader of that library, once
 * per class loader, when a class of it is instrumented. Defining them there, instead of loading them
 * from the agent jar through the system class loader, is what lets them link against a library that
 * lives in a Spring Boot, container or plug-in class loader.
 */
public final class HelperInjector implements AgentBuilder.Transformer {

    private final ClassFileLocator agentClasses;

    private final String[] helperClassNames;

    private final Set<ClassLoader> injected = Collections.newSetFromMap(new WeakHashMap<ClassLoader, Boolean>());

    public HelperInjector(ClassFileLocator agentClasses, String... helperClassNames) {
        this.agentClasses = agentClasses;
        this.helperClassNames = helperClassNames.clone();
    }

    @Override
    public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
            ClassLoader classLoader, JavaModule module, ProtectionDomain protectionDomain) {
        if (classLoader == null) {
            return builder;
        }
        synchronized (injected) {
            if (!injected.add(classLoader)) {
                return builder;
            }
        }
        try {
            Map<String, byte[]> classes = new LinkedHashMap<>();
            for (String name : helperClassNames) {
                classes.put(name, agentClasses.locate(name).resolve());
            }
            ClassInjector injector = ClassInjector.UsingReflection.isAvailable()
                    ? new ClassInjector.UsingReflection(classLoader, protectionDomain)
                    : ClassInjector.UsingUnsafe.isAvailable() ? new ClassInjector.UsingUnsafe(classLoader, protectionDomain)
                            : null;
            if (injector == null) {
                throw new IllegalStateException("no way to define classes in " + classLoader);
            }
            injector.injectRaw(classes);
        } catch (Throwable t) {
            InternalErrors.record("helper.injection", t);
        }
        return builder;
    }
}
