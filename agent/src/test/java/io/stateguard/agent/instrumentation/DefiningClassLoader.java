package io.stateguard.agent.instrumentation;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * For tests of woven classes: defines given class files, and every other class of their package prefix from the
 * parent's class files, itself (so that package-private access between them holds); the rest comes from the parent.
 */
public final class DefiningClassLoader extends ClassLoader {

    private final String prefix;
    private final Map<String, byte[]> classFiles;

    private DefiningClassLoader(ClassLoader parent, String prefix, Map<String, byte[]> classFiles) {
        super(parent);
        this.prefix = prefix;
        this.classFiles = classFiles;
    }

    /**
     * Defines {@code bytes} as {@code name} in a class loader of its own and links it, so that the JVM's
     * verifier checks its code now (a {@link VerifyError} otherwise).
     */
    public static Class<?> defineAndLink(ClassLoader parent, String name, byte[] bytes) throws ClassNotFoundException {
        return defineAndLink(parent, name, name, Map.of(name, bytes));
    }

    /**
     * Defines {@code classFiles} (by binary name), and the other classes whose names start with {@code prefix}
     * from the parent's class files, in a class loader of its own; loads and links {@code name}.
     */
    public static Class<?> defineAndLink(ClassLoader parent, String prefix, String name, Map<String, byte[]> classFiles)
            throws ClassNotFoundException {
        Class<?> type = new DefiningClassLoader(parent, prefix, classFiles).loadClass(name);
        if (!(type.getClassLoader() instanceof DefiningClassLoader)) {
            throw new IllegalStateException(name + " came from the parent");
        }
        type.getDeclaredMethods(); // links the class
        return type;
    }

    /** The class file of {@code className} from the test class path. */
    public static byte[] classFile(String className) throws IOException {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(className.replace('.', '/') + ".class")) {
            if (in == null) {
                throw new IOException("no class file for " + className);
            }
            return in.readAllBytes();
        }
    }

    @Override
    protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
        if (!className.startsWith(prefix)) {
            return super.loadClass(className, resolve);
        }
        synchronized (getClassLoadingLock(className)) {
            Class<?> known = findLoadedClass(className);
            if (known != null) {
                return known;
            }
            byte[] bytes = classFiles.get(className);
            if (bytes == null) {
                try {
                    bytes = classFile(className);
                } catch (IOException e) {
                    throw new ClassNotFoundException(className, e);
                }
            }
            return defineClass(className, bytes, 0, bytes.length);
        }
    }
}
