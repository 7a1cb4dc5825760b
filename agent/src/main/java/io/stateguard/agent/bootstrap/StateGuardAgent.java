package io.stateguard.agent.bootstrap;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.security.CodeSource;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Entry point of {@code stateguard-agent.jar}: {@code premain} for {@code -javaagent},
 * {@code agentmain} for attaching to a running JVM ({@code java -jar stateguard-agent.jar attach <pid>}),
 * {@code main} for {@code java -jar}.
 *
 * <p>The JVM puts the agent jar on the system class path, which every ordinary application class
 * loader (plain class path, Spring Boot fat jars, servlet containers) delegates to, so the advice
 * woven into Lettuce can call the agent's classes. The jar is deliberately not appended to the
 * bootstrap class path: that disables class-data sharing for application classes and makes the
 * JVM print a warning on every start. Class loaders that cannot see the agent are detected and
 * left alone. Everything in the jar lives under {@code io.stateguard.agent}; ASM is
 * relocated below it, so nothing can clash with the application's own classes.
 */
public final class StateGuardAgent {

    private StateGuardAgent() {
    }

    public static void premain(String agentArgs, Instrumentation instrumentation) {
        start(agentArgs, instrumentation, false);
    }

    public static void agentmain(String agentArgs, Instrumentation instrumentation) {
        start(agentArgs, instrumentation, true);
    }

    /**
     * Marks the agent arguments of one {@code attach} command: {@code @attach-id=<id>;<settings>}. The agent
     * publishes the id of the attach that activated it ({@link AgentInstaller#ATTACH_ID_PROPERTY}), so that of
     * two commands attaching at the same time, the one whose load was ignored can say so.
     */
    static final String ATTACH_ID_ARGUMENT = "@attach-id=";

    /**
     * {@code java -jar stateguard-agent.jar [command]}: without arguments the version and usage;
     * {@code list} and {@code attach <pid> [name=value;...]} load the agent into a running JVM
     * ({@link AgentCommand}).
     */
    public static void main(String[] args) {
        File jar = agentJarOrNull();
        int code = new AgentCommand(System.out, System.err, jar, version(jar)).run(args);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    private static void start(String agentArgs, Instrumentation instrumentation, boolean attached) {
        try {
            File jar = agentJarOrNull();
            if (jar == null) {
                System.err.println("[stateguard] ERROR cannot locate the agent jar; StateGuard is disabled,"
                        + " the application runs without it");
                return;
            }
            String attachId = null;
            String settings = agentArgs;
            if (attached && agentArgs != null && agentArgs.startsWith(ATTACH_ID_ARGUMENT)) {
                int end = agentArgs.indexOf(';');
                attachId = agentArgs.substring(ATTACH_ID_ARGUMENT.length(), end < 0 ? agentArgs.length() : end);
                settings = end < 0 ? "" : agentArgs.substring(end + 1);
            }
            AgentInstaller.install(settings, instrumentation, attached, version(jar), attachId);
        } catch (IllegalStateException e) {
            if (attached) {
                // fail-fast on attach: the attach call itself fails instead of the JVM exiting.
                throw e;
            }
            System.err.println("[stateguard] ERROR agent start-up failed; StateGuard is disabled, the application"
                    + " runs without it (" + e + ")");
        } catch (Throwable t) {
            System.err.println("[stateguard] ERROR agent start-up failed; StateGuard is disabled, the application"
                    + " runs without it (" + t + ")");
        }
    }

    static File agentJarOrNull() {
        try {
            CodeSource source = StateGuardAgent.class.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return null;
            }
            File file = new File(source.getLocation().toURI());
            return file.isFile() ? file : null;
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    static String version(File jar) {
        if (jar != null) {
            try (JarFile file = new JarFile(jar)) {
                Manifest manifest = file.getManifest();
                String version = manifest == null ? null
                        : manifest.getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
                if (version != null) {
                    return version;
                }
            } catch (Exception e) {
                // fall through
            }
        }
        return "(development)";
    }
}
