package io.stateguard.it.probe;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs {@link RedissonProbe} deployed with its own Redisson, Netty, Reactor and RxJava in a class loader of its
 * own, as a Spring Boot fat jar or an application server does: this JVM's class path has none of them (see the
 * test), only the agent jar through {@code -javaagent}. The deployment loader asks its parent first, except for
 * the probe's class itself.
 *
 * <p>Arguments: {@code <jars> <RedissonProbe's arguments...>}.
 */
public final class RedissonDeploymentProbe {

    public static void main(String[] args) throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(RedissonDeploymentProbe.class.getProtectionDomain().getCodeSource().getLocation());
        for (String jar : args[0].split(File.pathSeparator)) {
            urls.add(Paths.get(jar).toUri().toURL());
        }
        String app = RedissonProbe.class.getName();
        try (URLClassLoader deployment = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getSystemClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (!name.equals(app)) {
                    return super.loadClass(name, resolve);
                }
                synchronized (getClassLoadingLock(name)) {
                    Class<?> known = findLoadedClass(name);
                    return known != null ? known : findClass(name);
                }
            }
        }) {
            Class<?> probe = Class.forName(app, true, deployment);
            Class<?> redisson = Class.forName("org.redisson.Redisson", false, deployment);
            System.out.println("probe.deployment.redisson.loader=" + (redisson.getClassLoader() == deployment));
            System.out.println("probe.deployment.system.redisson="
                    + (ClassLoader.getSystemClassLoader().getResource("org/redisson/Redisson.class") != null));
            probe.getMethod("main", String[].class).invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        }
    }
}
