package io.stateguard.it.probe;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.management.ObjectName;

/**
 * Deploys an application ({@code io.stateguard.it.probe.deployed}) with its own Lettuce, Netty and
 * Reactor in a class loader of its own, as a Spring Boot fat jar or an application server does: this
 * JVM's class path has none of them (see the tests), only the agent jar through {@code -javaagent}.
 * The deployment loader asks its parent first, except for the application's own package.
 *
 * <p>Modes:
 * <ul>
 *   <li>{@code link-first <jars> <nodes> <pinnedKey> <stateKey>}: links the application class that
 *       catches {@code StaleStateException} before any Lettuce class is loaded, then runs it
 *       ({@code probe.linked}, {@code probe.1.*}); afterwards a class of the class path names
 *       {@code StaleStateException} too ({@code probe.system.linked}).</li>
 *   <li>{@code two-deployments <jars> <nodes> <pinned1> <state1> <pinned2> <state2> <attempts>}: runs
 *       deployment 1, closes and drops it, collects garbage until a weak reference to its class loader
 *       clears, at most {@code attempts} times ({@code probe.1.collected}, {@code probe.gc.attempts});
 *       if it never clears, prints what still reaches it ({@code probe.pin.<n>}) and the heap's
 *       largest classes; then runs deployment 2 ({@code probe.2.*}).</li>
 * </ul>
 */
public final class DeploymentsProbe {

    static final String APP_PACKAGE = "io.stateguard.it.probe.deployed.";

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        List<URL> urls = new ArrayList<>();
        urls.add(DeploymentsProbe.class.getProtectionDomain().getCodeSource().getLocation());
        for (String jar : args[1].split(File.pathSeparator)) {
            urls.add(Paths.get(jar).toUri().toURL());
        }
        String nodes = args[2];
        if (mode.equals("link-first")) {
            DeploymentLoader loader = new DeploymentLoader(urls);
            Class<?> app;
            try {
                app = Class.forName(APP_PACKAGE + "DeployedApp", true, loader);
                System.out.println("probe.linked=true");
            } catch (Throwable t) {
                System.out.println("probe.linked=" + t);
                app = null;
            }
            if (app != null) {
                print("probe.1.", invoke(app, loader, nodes, args[3], args[4]));
            }
            try {
                Class<?> stale = Class.forName("io.stateguard.agent.api.StaleStateException");
                System.out.println("probe.system.linked=true");
                System.out.println("probe.system.superclass=" + stale.getSuperclass().getName());
            } catch (Throwable t) {
                System.out.println("probe.system.linked=" + t);
            }
        } else if (mode.equals("two-deployments")) {
            WeakReference<ClassLoader> first = deployAndDiscard(urls, nodes, args[3], args[4]);
            int maxAttempts = Integer.parseInt(args[7]);
            int attempts = 0;
            while (first.get() != null && attempts < maxAttempts) {
                attempts++;
                System.gc();
                Thread.sleep(100); // lets threads that are ending (Netty's) finish between collections
            }
            boolean collected = first.get() == null;
            System.out.println("probe.1.collected=" + collected);
            System.out.println("probe.gc.attempts=" + attempts);
            if (!collected) {
                List<String> pins = Reachability.pathsTo(first.get());
                for (int i = 0; i < pins.size(); i++) {
                    System.out.println("probe.pin." + i + "=" + pins.get(i));
                }
                System.out.println("--- heap histogram (largest first) ---");
                String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                        new Object[] {null}, new String[] {String[].class.getName()});
                String[] lines = histogram.split("\\R");
                for (int i = 0; i < Math.min(lines.length, 60); i++) {
                    System.out.println(lines[i]);
                }
            }
            DeploymentLoader second = new DeploymentLoader(urls);
            Class<?> app = Class.forName(APP_PACKAGE + "DeployedApp", true, second);
            print("probe.2.", invoke(app, second, nodes, args[5], args[6]));
            second.close();
        } else {
            throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    /** Runs deployment 1 and drops everything of it; only a weak reference to its class loader is returned. */
    private static WeakReference<ClassLoader> deployAndDiscard(List<URL> urls, String nodes, String pinned,
            String state) throws Exception {
        DeploymentLoader loader = new DeploymentLoader(urls);
        Class<?> app = Class.forName(APP_PACKAGE + "DeployedApp", true, loader);
        print("probe.1.", invoke(app, loader, nodes, pinned, state));
        loader.close();
        return new WeakReference<>(loader);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> invoke(Class<?> app, ClassLoader loader, String nodes, String pinned,
            String state) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader); // as a container runs its deployments
        try {
            return (Map<String, String>) app.getMethod("run", String.class, String.class, String.class)
                    .invoke(null, nodes, pinned, state);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static void print(String prefix, Map<String, String> values) {
        values.forEach((name, value) -> System.out.println(prefix + name + "=" + value));
    }

    /** A deployment: its libraries from its jars, its application package from itself, the rest from its parent. */
    static final class DeploymentLoader extends URLClassLoader {

        DeploymentLoader(List<URL> urls) {
            super(urls.toArray(new URL[0]), ClassLoader.getSystemClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(APP_PACKAGE)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> known = findLoadedClass(name);
                return known != null ? known : findClass(name);
            }
        }
    }
}
