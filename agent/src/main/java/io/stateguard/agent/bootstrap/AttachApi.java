package io.stateguard.agent.bootstrap;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The JDK's Attach API ({@code com.sun.tools.attach.VirtualMachine}), called reflectively: the agent
 * is compiled for Java 8, where the API lives in the JDK's {@code lib/tools.jar}, while from Java 9
 * it is the {@code jdk.attach} module. Used only by the {@code attach} and {@code list} commands, in
 * their own JVM, never inside an application.
 */
final class AttachApi {

    private static final String VIRTUAL_MACHINE = "com.sun.tools.attach.VirtualMachine";

    private final Method list;
    private final Method descriptorId;
    private final Method descriptorDisplayName;
    private final Method attach;
    private final Method getSystemProperties;
    private final Method getAgentProperties;
    private final Method loadAgent;
    private final Method detach;

    private AttachApi(Class<?> virtualMachine) throws ReflectiveOperationException {
        ClassLoader loader = virtualMachine.getClassLoader();
        Class<?> descriptor = Class.forName("com.sun.tools.attach.VirtualMachineDescriptor", false, loader);
        list = virtualMachine.getMethod("list");
        descriptorId = descriptor.getMethod("id");
        descriptorDisplayName = descriptor.getMethod("displayName");
        attach = virtualMachine.getMethod("attach", String.class);
        getSystemProperties = virtualMachine.getMethod("getSystemProperties");
        getAgentProperties = virtualMachine.getMethod("getAgentProperties");
        loadAgent = virtualMachine.getMethod("loadAgent", String.class, String.class);
        detach = virtualMachine.getMethod("detach");
    }

    /**
     * The Attach API of this Java runtime.
     *
     * @throws Unavailable with an explanation when this runtime has none (a JRE, or a runtime image
     *     without {@code jdk.attach}).
     */
    static AttachApi load() throws Unavailable {
        String javaHome = System.getProperty("java.home");
        Class<?> virtualMachine;
        try {
            virtualMachine = Class.forName(VIRTUAL_MACHINE);
        } catch (ClassNotFoundException | LinkageError e) {
            // Java 8: the JDK's lib/tools.jar, beside the jre/ directory that is java.home.
            File toolsJar = new File(javaHome, ".." + File.separator + "lib" + File.separator + "tools.jar");
            if (!toolsJar.isFile()) {
                throw new Unavailable("this Java runtime (" + javaHome + ") has no Attach API: run the command with"
                        + " a JDK's java (Java 8: one with lib/tools.jar; Java 9+: one with the jdk.attach module)");
            }
            try {
                URLClassLoader tools = new URLClassLoader(new URL[] {toolsJar.toURI().toURL()},
                        AttachApi.class.getClassLoader());
                virtualMachine = Class.forName(VIRTUAL_MACHINE, true, tools);
            } catch (Exception | LinkageError failure) {
                throw new Unavailable("cannot load the Attach API from " + toolsJar + " (" + failure + ")");
            }
        }
        try {
            return new AttachApi(virtualMachine);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new Unavailable("the Attach API of " + javaHome + " has an unexpected shape (" + e + ")");
        }
    }

    /** A JVM the Attach API can see. */
    static final class Descriptor {
        final String id;
        final String displayName;

        Descriptor(String id, String displayName) {
            this.id = id;
            this.displayName = displayName;
        }
    }

    /** The JVMs of this user the Attach API finds (as {@code jps} does). */
    List<Descriptor> list() throws Exception {
        List<Descriptor> found = new ArrayList<>();
        for (Object descriptor : (List<?>) invoke(list, null)) {
            found.add(new Descriptor((String) invoke(descriptorId, descriptor),
                    (String) invoke(descriptorDisplayName, descriptor)));
        }
        return found;
    }

    /** Attaches to the JVM {@code pid}; the returned handle must be {@link #detach}ed. */
    Object attach(String pid) throws Exception {
        return invoke(attach, null, pid);
    }

    Properties systemProperties(Object vm) throws Exception {
        return (Properties) invoke(getSystemProperties, vm);
    }

    /** The target's agent properties ({@code sun.jvm.args}, {@code sun.java.command}, ...). */
    Properties agentProperties(Object vm) throws Exception {
        return (Properties) invoke(getAgentProperties, vm);
    }

    void loadAgent(Object vm, String jar, String options) throws Exception {
        invoke(loadAgent, vm, jar, options);
    }

    void detach(Object vm) {
        try {
            invoke(detach, vm);
        } catch (Exception e) {
            // the target may be gone already
        }
    }

    /** Calls {@code method}, rethrowing what it threw rather than a reflective wrapper. */
    private static Object invoke(Method method, Object target, Object... args) throws Exception {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw e;
        }
    }

    /** The Attach API is not available in this runtime. */
    static final class Unavailable extends Exception {

        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }
}
