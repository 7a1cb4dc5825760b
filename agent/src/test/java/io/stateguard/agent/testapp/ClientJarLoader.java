package io.stateguard.agent.testapp;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;

/**
 * A class loader for one Redis client jar, child first for that client: its classes and class files (below
 * {@code clientPackage}, such as {@code io.lettuce.} or {@code org.redisson.}) come from the jar only (or, for the
 * given names, from the given class files), everything else (Netty, Reactor, the agent) from the parent. As a fat
 * jar or a container gives an application a client of its own.
 */
public final class ClientJarLoader extends URLClassLoader {

    private final Map<String, byte[]> replaced;

    private final String clientPackage;

    private final String clientPath;

    /** A loader for a Lettuce jar. */
    public ClientJarLoader(Path jar, ClassLoader parent, Map<String, byte[]> replaced) throws IOException {
        this(jar, parent, replaced, "io.lettuce.");
    }

    public ClientJarLoader(Path jar, ClassLoader parent, Map<String, byte[]> replaced, String clientPackage)
            throws IOException {
        super(new URL[] {jar.toUri().toURL()}, parent);
        this.replaced = replaced;
        this.clientPackage = clientPackage;
        this.clientPath = clientPackage.replace('.', '/');
    }

    /** The class file of {@code className} in the jar. */
    public byte[] classFile(String className) throws IOException {
        try (InputStream in = getResourceAsStream(className.replace('.', '/') + ".class")) {
            if (in == null) {
                throw new IOException("no class file for " + className + " in " + getURLs()[0]);
            }
            return in.readAllBytes();
        }
    }

    @Override
    public URL getResource(String name) {
        // The client's class files from the jar only: the parent may have a copy of its own.
        return name.startsWith(clientPath) ? findResource(name) : super.getResource(name);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith(clientPackage)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> known = findLoadedClass(name);
            if (known != null) {
                return known;
            }
            byte[] bytes = replaced.get(name);
            return bytes == null ? findClass(name) : defineClass(name, bytes, 0, bytes.length);
        }
    }
}
