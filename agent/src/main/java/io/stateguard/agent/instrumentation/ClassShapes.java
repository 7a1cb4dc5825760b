package io.stateguard.agent.instrumentation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads {@link ClassShape}s through a class loader's resources: classes are never loaded, so
 * reading neither initialises nor pins the application's classes, and it is safe while one of that
 * class loader's classes is being defined. One instance serves one decision and remembers what it
 * read; it is not thread-safe.
 */
public final class ClassShapes {

    private final ClassLoader classLoader;
    private final Map<String, ClassShape> read = new HashMap<String, ClassShape>();

    private ClassShapes(ClassLoader classLoader) {
        this.classLoader = classLoader;
    }

    /** @param classLoader the class loader, {@code null} for the bootstrap loader. */
    public static ClassShapes of(ClassLoader classLoader) {
        return new ClassShapes(classLoader);
    }

    /**
     * The shape of the class with this internal name ({@code io/lettuce/core/...}), or {@code null}
     * when the class loader has no such class file or it cannot be read.
     */
    public ClassShape find(String internalName) {
        if (read.containsKey(internalName)) {
            return read.get(internalName);
        }
        ClassShape known = null;
        byte[] classFile = classFile(classLoader, internalName);
        if (classFile != null) {
            try {
                known = ClassShape.read(classFile);
            } catch (RuntimeException e) {
                // a damaged or too new class file: as good as missing
            }
        }
        read.put(internalName, known);
        return known;
    }

    /**
     * The class file of the class with this internal name through {@code classLoader}'s resources
     * ({@code null}: the bootstrap loader, read through the system loader), or {@code null} when there
     * is none or it cannot be read.
     */
    static byte[] classFile(ClassLoader classLoader, String internalName) {
        String resource = internalName + ".class";
        InputStream in = classLoader == null ? ClassLoader.getSystemResourceAsStream(resource)
                : classLoader.getResourceAsStream(resource);
        if (in == null) {
            return null;
        }
        try {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    bytes.write(buffer, 0, n);
                }
                return bytes.toByteArray();
            } finally {
                in.close();
            }
        } catch (IOException e) {
            return null;
        }
    }
}
