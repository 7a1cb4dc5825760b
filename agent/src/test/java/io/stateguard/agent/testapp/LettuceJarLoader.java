package io.stateguard.agent.testapp;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;

/**
 * A class loader for one Lettuce jar, child first for Lettuce: its {@code io.lettuce} classes and class files come
 * from the jar only (or, for the given names, from the given class files), everything else (Netty, Reactor, the
 * agent) from the parent. As a fat jar or a container gives an application a Lettuce of its own.
 */
public final class LettuceJarLoader extends URLClassLoader {

    private final Map<String, byte[]> replaced;

    public LettuceJarLoader(Path jar, ClassLoader parent, Map<String, byte[]> replaced) throws IOException {
        super(new URL[] {jar.toUri().toURL()}, parent);
        this.replaced = replaced;
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
        // Lettuce's class files from the jar only: the parent may have a Lettuce of its own.
        return name.startsWith("io/lettuce/") ? findResource(name) : super.getResource(name);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith("io.lettuce.")) {
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
